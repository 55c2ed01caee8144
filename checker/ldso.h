/*
 * What glibc's ld.so would do with a program and its plugins, without
 * running them: find each DT_NEEDED the way _dl_map_object does, build the
 * start-up global scope and each plugin's dlopen closure, and bind symbols
 * the way do_lookup_x and check_match do.
 */
#ifndef PLUGKIT_LDSO_H
#define PLUGKIT_LDSO_H

#include "elfread.h"

/* A parsed file, shared by every simulation that loads it. */
struct object {
	struct elf_file elf;
	char *origin; /* what $ORIGIN expands to: the file's directory */
};

/* One object in a simulated process, under the name it was loaded by. */
struct loaded {
	struct object *obj;
	const char *name; /* the DT_NEEDED string, or the path given */
	int parent;       /* index of the object whose DT_NEEDED loaded it; -1 */
	bool late;        /* brought in by dlopen, not at start-up */
};

/* A DT_NEEDED entry nothing satisfies. */
struct unresolved {
	int requester; /* index into the process's loaded list */
	const char *name;
	char *searched; /* the directories tried, ':'-separated */
};

/* Where a reference binds: the defining loaded index and its dynsym index,
 * or -1. */
struct binding {
	int def;
	long sym;
};

/* ldso_bind's answers from the global scope, which depend on nothing but
 * the name and the version asked for: every plugin of a host asks for much
 * the same API, and every check for the same imports.  Kept until the
 * global scope changes. */
struct global_binding {
	char *key; /* the name, a NUL, the version's name (empty: unversioned) */
	uint32_t hash, ver_hash;
	bool versioned, ver_hidden;
	struct binding b;
};
struct binding_memo {
	struct global_binding *slots;
	size_t cap, n;
};

struct process {
	struct loaded *loaded;
	size_t n_loaded, cap_loaded;
	size_t n_startup; /* loaded[0..n_startup) came at start-up */
	size_t n_global;  /* loaded[0..n_global) is the global scope: start-up,
				 * then what RTLD_GLOBAL opens added */
	int *local;       /* the dlopen'd plugin's search list, by index */
	size_t n_local;
	struct unresolved *unresolved;
	size_t n_unresolved;
	struct binding_memo memo;
};

/* Files, parsed once each, found again by device and inode or by the name
 * they were opened by (hash tables, so the N-th file costs what the first
 * did); and ld.so.cache, read once and used in place. */
struct object_index {
	struct object **slots;
	size_t cap, n;
};
struct name_index {
	struct named_object {
		char *name;
		struct object *obj;
	} * slots;
	size_t cap, n;
};
struct ldso {
	struct object **objects;
	size_t n_objects, cap_objects;
	struct object_index by_id;
	struct name_index by_name;
	const char *cache_path; /* NULL: no ld.so.cache */
	struct mapped cache;    /* the whole file; entries point into it */
	uint32_t n_cache;
	const char *lib_dst;   /* what $LIB expands to */
	char platform_dst[65]; /* what $PLATFORM expands to */
	const char *const *system_dirs;
	/* Set by the first allocation that failed: every result since is
	 * incomplete, and the functions below that can fail return -1. */
	bool out_of_memory;
};

/*
 * The system's ld.so: /etc/ld.so.cache and Debian's trusted directories.
 * Returns 0, or -1 when out of memory (ldso_free is still to be called).
 */
int ldso_init(struct ldso *ld);
/* The same with another cache file (or none) and system directories
 * (NULL-terminated, kept by reference): for tests and sysroots. */
int ldso_init_with(struct ldso *ld, const char *cache_path, const char *const *system_dirs);
void ldso_free(struct ldso *ld);

/*
 * Parses path (a file the user named).  Returns NULL with a message naming
 * the file in err when it cannot be read or parsed.
 */
struct object *ldso_open(struct ldso *ld, const char *path, char *err, size_t errlen);

/*
 * Start-up: root (the shim, or the host alone) and the breadth-first
 * closure of its DT_NEEDED, in ld.so's global scope order.  Returns 0, or
 * -1 when out of memory (process_free is still to be called).
 */
int process_start(struct ldso *ld, struct process *p, struct object *root);

/*
 * The file ld.so loads for a library name without a slash, as if root (the
 * executable) listed it in DT_NEEDED: an object start-up loaded under that
 * name or SONAME, else the first file of root's class and machine in its
 * search (DT_RPATH, DT_RUNPATH, ld.so.cache, the system directories).
 * Without a root, only ld.so.cache and the system directories, for a file
 * like like (any file, when NULL).  Returns NULL when nothing answers.
 * *searched holds the places tried (':'-separated, or NULL), for the caller
 * to free in either case.
 */
struct object *ldso_find(struct ldso *ld, struct object *root, const struct object *like,
			 const char *name, char **searched);

/*
 * dlopen(plugin, RTLD_NOW | RTLD_LOCAL) on top of the start-up state: appends
 * the objects not already loaded (marked late) and sets p->local to the
 * plugin's breadth-first search list.  caller is the object calling dlopen
 * (its DT_RPATH chain applies), or -1.  Returns the plugin's loaded index,
 * or -1 when out of memory.
 */
int process_dlopen(struct ldso *ld, struct process *p, struct object *plugin, int caller);

/* Drops everything the last dlopen brought in, for the next plugin. */
void process_reset(struct process *p);

/* RTLD_GLOBAL: what the last dlopen brought in joins the global scope, in
 * load order, for every later lookup and dlopen. */
void process_make_global(struct process *p);
void process_free(struct process *p);

/* Where a reference from loaded[from] to name (with ver, or NULL) binds.
 * Answers from the global scope are remembered in p (see binding_memo). */
struct binding ldso_bind(struct process *p, int from, const char *name,
			 const struct elf_version *ver);

/* The version a dynsym entry of obj asks for: NULL when unversioned. */
const struct elf_version *ldso_ref_version(const struct object *obj, const struct elf_sym *sym);

/* Expands $ORIGIN, $LIB and $PLATFORM in a search path entry; returns false
 * (with out untouched) for another $ token or an overlong result. */
bool ldso_expand(const struct ldso *ld, const struct object *obj, const char *entry, char *out,
		 size_t outlen);

#endif
