/* Read-only mapping of a regular file, refusing anything else up front. */
#ifndef PLUGKIT_MAPFILE_H
#define PLUGKIT_MAPFILE_H

#include <stddef.h>
#include <sys/types.h>

struct mapped {
	const unsigned char *data;
	size_t size;
	dev_t dev;
	ino_t ino;
};

/*
 * Maps path.  A FIFO, directory, socket or device is refused before it is
 * read, so nothing blocks; an empty file is refused too.  Returns 0, or -1
 * with "PATH: reason" in err.
 */
int map_file(const char *path, struct mapped *m, char *err, size_t errlen);
void unmap_file(struct mapped *m);

#endif
