/* Allocation that cannot fail: plugkit has nothing sensible to do without
 * memory, so these print the error and exit 2 (an input it cannot handle). */
#ifndef PLUGKIT_XALLOC_H
#define PLUGKIT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
