/*
 * Allocation that cannot fail: the plugkit command has nothing sensible to
 * do without memory, so these print the error and exit 2 (an input it
 * cannot handle).  That is the command's policy, used where only the
 * command runs (its own code, the report and the waivers it prints).  The
 * ld.so simulation (ldso.c) does not use them: it is a library that tests
 * and other callers drive, so it returns running out of memory as a value.
 */
#ifndef PLUGKIT_XALLOC_H
#define PLUGKIT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
