/*
 * The judgement before dlopen: the plugin's file and the closure its
 * dlopen would load, found as ld.so finds it and weighed against what this
 * process has already loaded, under the core's rules.  Nothing of the
 * plugin runs before it passes.
 */
#ifndef PLUGKIT_JUDGE_H
#define PLUGKIT_JUDGE_H

#include <stddef.h>

#include "plugkit.h"

/* What the dlopen will bring in besides the plugin: the names (DT_NEEDED
 * strings) its new dependencies load under, to find them afterwards. */
struct closure {
	char **names;
	size_t n;
};

/*
 * Judges path (absolute) against the objects loaded now.  PLUGKIT_OK with
 * the new dependencies in *c (closure_free it), or a refusal in error.
 * Not reentrant: plugkit_open calls it under its lock.
 */
enum plugkit_status judge_before_dlopen(const char *path, struct closure *c,
					struct plugkit_error *error);

void closure_free(struct closure *c);

#endif
