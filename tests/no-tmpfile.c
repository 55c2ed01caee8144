/*
 * Preloaded by rpath.sh: openat() as on a file system without O_TMPFILE
 * (EOPNOTSUPP, as vfat and older NFS answer), so that plugkit's fallback,
 * a named temporary, runs where every file system has O_TMPFILE.  Each
 * refusal creates $NO_TMPFILE_MARK, so the test knows the fallback ran.
 */
#define _GNU_SOURCE
/* Both names defined here: with 64-bit offsets asked for, fcntl.h would
 * turn this openat into openat64. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

int openat(int dir, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	const char *mark = getenv("NO_TMPFILE_MARK");
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		if (mark && (fd = real(AT_FDCWD, mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
			close(fd);
		errno = EOPNOTSUPP;
		return -1;
	}
	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return real(dir, path, flags, mode);
}

int openat64(int dir, const char *path, int flags, ...) __attribute__((alias("openat")));
