/*
 * The objects loaded in this process right now, as ld.so's own list has
 * them, read through dl_iterate_phdr: it holds ld.so's lock while it
 * walks, so no other thread's dlclose frees an object under the walk.
 */
#ifndef PLUGKIT_LIVE_H
#define PLUGKIT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct live_object {
	char *name;             /* l_name: "" for the program, a path otherwise */
	char *soname;           /* NULL when it has none */
	bool have_id;           /* dev and ino known (the vDSO has no file) */
	dev_t dev;
	ino_t ino;
};

struct live {
	struct live_object *v;
	size_t n, cap;
	unsigned long long adds, subs;  /* ld.so's load and unload counters */
	bool valid;
};

/* Brings lv up to date: a cheap no-op when nothing was loaded or unloaded
 * since.  Returns 0, or -1 when out of memory. */
int live_refresh(struct live *lv);

/*
 * The object a DT_NEEDED name (or a dlopen path) is already loaded as,
 * matched as _dl_map_object matches: its name or its SONAME.  NULL when
 * none is.
 */
const struct live_object *live_by_name(const struct live *lv, const char *name);

/* The object loaded from that file (ld.so compares device and inode before
 * loading a file a second time), or NULL. */
const struct live_object *live_by_file(const struct live *lv, dev_t dev, ino_t ino);

/* An object loaded with that SONAME, or NULL. */
const struct live_object *live_by_soname(const struct live *lv, const char *soname);

/*
 * Which loaded object, libc and ld.so aside, defines and exports a symbol
 * of names: the first such name in *which and the object's name returned;
 * NULL when none.  Looked up in memory under ld.so's lock.
 */
const char *live_defines_any(const char *const *names, size_t n, const char **which, char *buf,
			     size_t len);

#endif
