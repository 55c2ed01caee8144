#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u

static const char *kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a device";
}

/*
 * Opens name (in dirfd) and checks it is a regular file with bytes in it;
 * sets m's size, identity and fd.  Nothing is read yet.
 */
static int open_regular(int dirfd, const char *name, const char *path, int oflags, struct mapped *m,
			char *err, size_t errlen)
{
	struct stat st;
	int fd;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | oflags);
	/* A socket cannot be opened at all (ENXIO): say what it is. */
	if (fd < 0 && errno == ENXIO && fstatat(dirfd, name, &st, 0) == 0 && S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path, kind(st.st_mode));
		errno = ENODEV;
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path, kind(st.st_mode));
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
		return -1;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "%s: empty file", path);
		close(fd);
		errno = ENOEXEC;
		return -1;
	}
	m->size = (size_t)st.st_size;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->fd = fd;
	return 0;
}

/* Anonymous memory: no file stands behind it, so nothing can fault.
 * MAP_NORESERVE: a sparse copy commits only the pages it reads. */
static void *anonymous(size_t size, const char *path, char *err, size_t errlen)
{
	void *data = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int e = errno;

	if (data != MAP_FAILED)
		return data;
	snprintf(err, errlen, "%s: cannot allocate %zu bytes: %s", path, size, strerror(e));
	errno = e;
	return NULL;
}

/* open_regular, and memory of the file's size. */
static int open_copy(const char *path, struct mapped *m, char *err, size_t errlen)
{
	void *data;

	if (open_regular(AT_FDCWD, path, path, 0, m, err, errlen) != 0)
		return -1;
	data = anonymous(m->size, path, err, errlen);
	if (!data) {
		int e = errno;

		unmap_file(m);
		errno = e;
		return -1;
	}
	m->data = data;
	return 0;
}

/* pread until len bytes are in, or false when the file ends first. */
static bool read_at(int fd, unsigned char *to, uint64_t off, uint64_t len)
{
	while (len) {
		ssize_t n = pread(fd, to, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		to += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return true;
}

int map_file(const char *path, struct mapped *m, char *err, size_t errlen)
{
	if (open_copy(path, m, err, errlen) != 0)
		return -1;
	errno = 0;
	if (!read_at(m->fd, (unsigned char *)m->data, 0, m->size)) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "%s: %s", path,
			 errno ? strerror(errno) : "the file shrank while it was read");
		unmap_file(m);
		errno = e;
		return -1;
	}
	map_finish(m);
	return 0;
}

int map_file_sparse(const char *path, struct mapped *m, char *err, size_t errlen)
{
	if (open_copy(path, m, err, errlen) != 0)
		return -1;
	m->pages = calloc(m->size / PAGE / 8 + 1, 1);
	if (!m->pages) {
		snprintf(err, errlen, "%s: out of memory", path);
		unmap_file(m);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Gives the region's pages back once MAP_ARENA_KEEP bytes were read in:
 * one TLB flush per couple of megabytes read, not one per file. */
static void arena_trim(struct map_arena *a)
{
	if (a->filled < MAP_ARENA_KEEP)
		return;
	madvise(a->base, a->extent, MADV_DONTNEED);
	a->filled = a->extent = 0;
}

/* Room for a file of size bytes, and a cleared bitmap for its pages. */
static bool arena_fit(struct map_arena *a, size_t size, const char *path, char *err, size_t errlen)
{
	size_t bitmap = size / PAGE / 8 + 1;

	if (size > a->cap) {
		/* Address space only (MAP_NORESERVE), so start big and
		 * double: the region moves a few times in a scan, not once
		 * per file. */
		size_t cap = a->cap ? 2 * a->cap : 16u << 20;
		void *base;

		if (cap < size)
			cap = size;
		cap = (cap + PAGE - 1) / PAGE * PAGE;
		base = anonymous(cap, path, err, errlen);
		if (!base)
			return false;
		if (a->base)
			munmap(a->base, a->cap);
		a->base = base;
		a->cap = cap;
		a->filled = a->extent = 0;
	}
	if (bitmap > a->pages_cap) {
		unsigned char *pages = realloc(a->pages, bitmap);

		if (!pages) {
			snprintf(err, errlen, "%s: out of memory", path);
			errno = ENOMEM;
			return false;
		}
		a->pages = pages;
		a->pages_cap = bitmap;
	}
	memset(a->pages, 0, bitmap);
	arena_trim(a);
	return true;
}

int map_file_at(struct map_arena *arena, int dirfd, const char *name, const char *path, int oflags,
		struct mapped *m, char *err, size_t errlen)
{
	if (open_regular(dirfd, name, path, oflags, m, err, errlen) != 0)
		return -1;
	if (!arena_fit(arena, m->size, path, err, errlen)) {
		int e = errno;

		unmap_file(m);
		errno = e;
		return -1;
	}
	m->data = arena->base;
	m->pages = arena->pages;
	m->arena = arena;
	return 0;
}

void map_arena_free(struct map_arena *arena)
{
	if (arena->base)
		munmap(arena->base, arena->cap);
	free(arena->pages);
	memset(arena, 0, sizeof(*arena));
}

static bool page_read(const struct mapped *m, uint64_t p)
{
	return m->pages[p / 8] & (1u << (p % 8));
}

bool map_range(struct mapped *m, uint64_t off, uint64_t len)
{
	uint64_t first, last, p;

	if (!m->pages || !len)
		return true;
	first = off / PAGE;
	last = (off + len - 1) / PAGE;
	/* One read per run of missing pages. */
	for (p = first; p <= last; p++) {
		uint64_t run = p, from, to;

		if (page_read(m, p))
			continue;
		while (p + 1 <= last && !page_read(m, p + 1))
			p++;
		from = run * PAGE;
		to = (p + 1) * PAGE < m->size ? (p + 1) * PAGE : m->size;
		if (m->fd < 0 || !read_at(m->fd, (unsigned char *)m->data + from, from, to - from))
			return false;
		for (uint64_t q = run; q <= p; q++)
			m->pages[q / 8] |= (unsigned char)(1u << (q % 8));
		if (m->arena) {
			m->arena->filled += to - from;
			if (to > m->arena->extent)
				m->arena->extent = to;
		}
	}
	return true;
}

void map_drop(struct mapped *m, uint64_t off, uint64_t len)
{
	uint64_t first = (off + PAGE - 1) / PAGE, end = (off + len) / PAGE;

	if (!m->pages || first >= end)
		return;
	/* In an arena the pages stay (and stay valid) until it is full. */
	if (m->arena) {
		size_t n = (end - first) * PAGE;

		if (m->arena->filled < MAP_ARENA_KEEP)
			return;
		m->arena->filled -= n < m->arena->filled ? n : m->arena->filled;
	}
	madvise((unsigned char *)m->data + first * PAGE, (end - first) * PAGE, MADV_DONTNEED);
	for (uint64_t q = first; q < end; q++)
		m->pages[q / 8] &= (unsigned char)~(1u << (q % 8));
}

void map_finish(struct mapped *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

void unmap_file(struct mapped *m)
{
	map_finish(m);
	if (m->data && !m->arena) {
		munmap((void *)m->data, m->size);
		free(m->pages);
	}
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}
