/*
 * A private copy of a regular file's bytes, read with pread() rather than
 * mapped: a mapping of a file that shrinks underneath raises SIGBUS on the
 * next touch (in the plugkit command and in every host that links
 * libplugkit), while a read that comes up short is just an error.
 *
 * The copy lives in an anonymous mapping the size of the file.  A whole read
 * fills it at once; a sparse one fills only the pages asked for with
 * map_range(), so a reader that needs the headers of a 100 MB library costs
 * a few pages of memory and a few reads, not 100 MB.
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
	int fd;               /* open while sparse pages may still be read; else -1 */
	unsigned char *pages; /* sparse: a bit per page already read; NULL when whole */
};

/*
 * Reads path whole.  A FIFO, directory, socket or device is refused before
 * it is read, so nothing blocks; an empty file is refused too.  Returns 0,
 * or -1 with "PATH: reason" in err.
 */
int map_file(const char *path, struct mapped *m, char *err, size_t errlen);

/* The same checks, but reads nothing yet: map_range() brings pages in. */
int map_file_sparse(const char *path, struct mapped *m, char *err, size_t errlen);

/*
 * Makes data[off, off + len) readable; the caller has checked the range lies
 * within size.  False when the file has shrunk or cannot be read.
 */
bool map_range(struct mapped *m, uint64_t off, uint64_t len);

/* Gives back the memory of the whole pages inside [off, off + len) of a
 * sparse copy (they are read again if asked for); a whole copy keeps them. */
void map_drop(struct mapped *m, uint64_t off, uint64_t len);

/* Closes the file; pages not read by now read as zeros (whole copies have
 * none). */
void map_finish(struct mapped *m);

void unmap_file(struct mapped *m);

#endif
