/* plugkit generate: the files a host is built from, written by the tool so
 * that a project never reads a file out of a Meson subproject. */
#ifndef PLUGKIT_GENERATE_H
#define PLUGKIT_GENERATE_H

#include <stddef.h>

/* The anonymous version script exporting symbols (names or globs). */
int generate_version_script(const char *output, char *const *symbols, size_t n);

/* The shim: a main() that calls entry(argc, argv) and nothing else. */
int generate_shim(const char *output, const char *entry);

#endif
