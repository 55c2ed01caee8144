/*
 * A private copy of a regular file's bytes, read with pread() rather than
 * mapped: a mapping of a file that shrinks underneath raises SIGBUS on the
 * next touch (in the plugkit command and in every host that links
 * libplugkit), while a read that comes up short is just an error.
 *
 * The copy lives in an anonymous mapping the size of the file, or (for
 * map_file_at) in a region reused from file to file.  A whole read fills it
 * at once; a sparse one fills only the pages asked for with map_range(), so
 * a reader that needs the headers of a 100 MB library costs a few pages of
 * memory and a few reads, not 100 MB.
 */
#ifndef PLUGKIT_MAPFILE_H
#define PLUGKIT_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mapped {
	const unsigned char *data;
	size_t size;
	dev_t dev;
	ino_t ino;
	int fd;                  /* open while sparse pages may still be read; else -1 */
	unsigned char *pages;    /* sparse: a bit per page already read; NULL when whole */
	struct map_arena *arena; /* where data lives when it is not its own */
};

/*
 * One anonymous region that a caller reading thousands of files one after
 * another (scan) reuses for each sparse copy.  Unmapping a copy, or giving
 * its pages back, flushes the TLB, which is a hypercall under a hypervisor:
 * one munmap per file was 45% of `scan -R /usr/lib/...`'s time (perf).  The
 * region's pages are given back only when MAP_ARENA_KEEP bytes have been
 * read into it since the last time, which bounds the memory it holds.
 * Zero-initialise one; map_arena_free() gives it back.
 */
struct map_arena {
	unsigned char *base;
	size_t cap;
	unsigned char *pages; /* the current copy's bitmap of pages read */
	size_t pages_cap;
	size_t filled; /* bytes read into the region since it was last given back */
	size_t extent; /* the end of the part of the region that holds pages */
};
#define MAP_ARENA_KEEP (2u << 20)

/*
 * Reads path whole.  A FIFO, directory, socket or device is refused before
 * it is read, so nothing blocks; an empty file is refused too.  Returns 0,
 * or -1 with "PATH: reason" in err.
 */
int map_file(const char *path, struct mapped *m, char *err, size_t errlen);

/* The same checks, but reads nothing yet: map_range() brings pages in. */
int map_file_sparse(const char *path, struct mapped *m, char *err, size_t errlen);

/*
 * A sparse copy of the file name in directory dirfd (or AT_FDCWD), opened
 * with oflags added (O_NOFOLLOW), in arena's region: valid until the next
 * map_file_at() on the same arena.  Pages not read for this file hold
 * another file's bytes, not zeros: read only what map_range() brought in.
 * path names the file in messages.
 */
int map_file_at(struct map_arena *arena, int dirfd, const char *name, const char *path, int oflags,
		struct mapped *m, char *err, size_t errlen);
void map_arena_free(struct map_arena *arena);

/*
 * Makes data[off, off + len) readable; the caller has checked the range lies
 * within size.  False when the file has shrunk or cannot be read.
 */
bool map_range(struct mapped *m, uint64_t off, uint64_t len);

/* Gives back the memory of the whole pages inside [off, off + len) of a
 * sparse copy (they are read again if asked for); a whole copy keeps them. */
void map_drop(struct mapped *m, uint64_t off, uint64_t len);

/* Closes the file; pages not read by now read as zeros, or in an arena as
 * another file's bytes (whole copies have none). */
void map_finish(struct mapped *m);

void unmap_file(struct mapped *m);

#endif
