#include "fileout.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int write_beside(const char *path, const void *data, size_t len, mode_t mode, char *tmp,
		 size_t tmplen)
{
	size_t done = 0;
	int fd, saved;

	snprintf(tmp, tmplen, "%s.plugkit-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fchmod(fd, mode & 07777) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) == 0)
		return 0;
	fd = -1;
fail:
	saved = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int write_file_atomic(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 32];
	int saved;

	if (mkdir_parents(path) != 0 || write_beside(path, text, strlen(text), mode, tmp, sizeof(tmp)) != 0)
		return -1;
	if (rename(tmp, path) == 0)
		return 0;
	saved = errno;
	unlink(tmp);
	errno = saved;
	return -1;
}
