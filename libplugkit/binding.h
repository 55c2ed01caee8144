/* Where allocator references landed, read from the relocated process. */
#ifndef PLUGKIT_BINDING_H
#define PLUGKIT_BINDING_H

#include <link.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The process's own allocator wiring, judged once: every allocator slot of
 * the objects loaded so far lands in the provider, and no object that
 * defines malloc sits behind it (a sanitizer runtime that owns malloc is
 * named as such).  False with a message, and in *rule the rule it breaks
 * (enum rule_id; -1 for the sanitizer, which no rule of plugkit's fixes),
 * when not.
 */
bool binding_process_ok(char *msg, size_t len, int *rule);

/* Every allocator slot of the n objects a plugin's dlopen brought in
 * (held open by the caller) lands in the provider.  False with a message
 * when not. */
bool binding_closure_ok(struct link_map *const *maps, size_t n, char *msg, size_t len);

#endif
