/*
 * Questions about the objects loaded in this process right now, answered
 * from ld.so's own list through dl_iterate_phdr: it holds ld.so's lock
 * while it walks, so no other thread's dlclose frees or unmaps an object
 * while it is read.  Nothing is copied or kept: each answer is read at the
 * moment it is asked for.
 */
#ifndef PLUGKIT_LIVE_H
#define PLUGKIT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Finds, once, the objects start-up loaded, which stay loaded for good
 * (the calls below do it when it has not been done; it calls dlopen, so
 * not from inside a dl_iterate_phdr callback). */
void live_find_startup(void);

/*
 * Marks in loaded[] each of the n names (DT_NEEDED strings, or a dlopen
 * path) that an object is already loaded as, matched as _dl_map_object
 * matches: its name or its SONAME.
 */
void live_match_names(const char *const *names, size_t n, bool *loaded);

/* Whether an object is loaded from that file (ld.so compares device and
 * inode before loading a file a second time). */
bool live_has_file(dev_t dev, ino_t ino);

/* The name of an object loaded with that SONAME, in buf; NULL when none. */
const char *live_soname_owner(const char *soname, char *buf, size_t len);

/*
 * Which loaded object, libc and ld.so aside, defines and exports one of
 * names: the first such name in *which and the object's name in buf;
 * NULL when none.
 */
const char *live_defines_any(const char *const *names, size_t n, const char **which, char *buf,
			     size_t len);

#endif
