/* Where allocator references landed, read from the relocated process. */
#ifndef PLUGKIT_BINDING_H
#define PLUGKIT_BINDING_H

#include <link.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The process's own allocator wiring, judged once: every allocator slot of
 * the objects loaded so far lands in the provider, and no object that
 * defines malloc sits behind it.  False with a message when not.
 */
bool binding_process_ok(char *msg, size_t len);

/* Every allocator slot of map and the objects after it (what its dlopen
 * brought in) lands in the provider.  False with a message when not. */
bool binding_closure_ok(struct link_map *map, char *msg, size_t len);

#endif
