#ifndef PLUGKIT_FILEOUT_H
#define PLUGKIT_FILEOUT_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes data into a new file beside path ("PATH.plugkit-XXXXXX", its name
 * left in tmp) with mode's permission bits, synced to disk.  Returns 0, or
 * -1 with errno set and nothing left behind.
 */
int write_beside(const char *path, const void *data, size_t len, mode_t mode, char *tmp,
		 size_t tmplen);

/*
 * Writes text to path whole or not at all: a temporary beside it, renamed
 * over it.  Creates missing parent directories.  Returns 0, or -1 with
 * errno set and nothing changed at path.
 */
int write_file_atomic(const char *path, const char *text, mode_t mode);

#endif
