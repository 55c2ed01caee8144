#ifndef PLUGKIT_SCAN_H
#define PLUGKIT_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Prints one line per ELF file under paths (validate: read each file whole,
 * as check does); returns 0, 1 when an ELF file was broken, 2 when a path
 * does not exist. */
int scan_paths(char *const *paths, size_t n, bool recursive, bool validate);

#endif
