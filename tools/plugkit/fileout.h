#ifndef PLUGKIT_FILEOUT_H
#define PLUGKIT_FILEOUT_H

#include <sys/types.h>

/*
 * Writes text to path whole or not at all: a temporary beside it, renamed
 * over it.  Creates missing parent directories.  Returns 0, or -1 with
 * errno set and nothing changed at path.
 */
int write_file_atomic(const char *path, const char *text, mode_t mode);

#endif
