/* ld.so's library search, global scope and symbol binding, simulated. */
#include "ldso.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mapfile.h"

#ifndef PLUGKIT_DST_LIB
#define PLUGKIT_DST_LIB "lib/x86_64-linux-gnu"
#endif
#ifndef PLUGKIT_LD_SO_CACHE
#define PLUGKIT_LD_SO_CACHE "/etc/ld.so.cache"
#endif

/* glibc's trusted directories on Debian, in ld.so's order (ld.so --help). */
static const char *const debian_system_dirs[] = {
	"/lib/" PLUGKIT_MULTIARCH, "/usr/lib/" PLUGKIT_MULTIARCH, "/lib", "/usr/lib", NULL,
};

/*
 * Out of memory: ld.so would fail the load, and plugkit cannot judge what it
 * could not simulate.  The first failure is recorded in ld and every later
 * step gives up; the caller reports it (plugkit exits 2).  Nothing here
 * exits: the checker is a library.
 */
static void *grow(struct ldso *ld, void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (!p)
		ld->out_of_memory = true;
	return p;
}

static char *dup_string(struct ldso *ld, const char *s)
{
	char *p = strdup(s);

	if (!p)
		ld->out_of_memory = true;
	return p;
}

/*
 * ld.so.cache, new format ("glibc-ld.so.cache1.1"): a 48-byte header, then
 * nlibs 24-byte entries {flags, key, value, osversion, hwcap} whose key and
 * value are offsets from the start of the file.  Read once and used in
 * place: an entry's strings are checked when a search reaches it.  A
 * missing or unreadable cache only means ld.so would fall through to the
 * system directories.
 */
enum { CACHE_HEADER = 48, CACHE_ENTRY = 24 };

static void read_cache(struct ldso *ld)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	char err[PATH_MAX + 64];
	uint32_t nlibs;

	if (!ld->cache_path || map_file(ld->cache_path, &ld->cache, err, sizeof(err)) != 0)
		return;
	if (ld->cache.size < CACHE_HEADER || memcmp(ld->cache.data, magic, sizeof(magic) - 1) != 0)
		return;
	memcpy(&nlibs, ld->cache.data + 20, 4);
	if (nlibs <= (ld->cache.size - CACHE_HEADER) / CACHE_ENTRY)
		ld->n_cache = nlibs;
}

/* Entry i's key (0) or value (1) string, or NULL when it does not end in
 * the file. */
static const char *cache_string(const struct ldso *ld, uint32_t i, int which)
{
	uint32_t off;

	memcpy(&off, ld->cache.data + CACHE_HEADER + (size_t)i * CACHE_ENTRY + 4 + 4 * which, 4);
	if (off >= ld->cache.size || !memchr(ld->cache.data + off, '\0', ld->cache.size - off))
		return NULL;
	return (const char *)ld->cache.data + off;
}

/* glibc's _dl_cache_libcmp: runs of digits compare as numbers, so that
 * libfoo.so.10 sorts after libfoo.so.9; ldconfig sorts by it. */
static int cache_libcmp(const char *p1, const char *p2)
{
	while (*p1) {
		if (*p1 >= '0' && *p1 <= '9') {
			long v1 = 0, v2 = 0;

			if (!(*p2 >= '0' && *p2 <= '9'))
				return 1;
			while (*p1 >= '0' && *p1 <= '9' && v1 < 100000000)
				v1 = v1 * 10 + *p1++ - '0';
			while (*p2 >= '0' && *p2 <= '9' && v2 < 100000000)
				v2 = v2 * 10 + *p2++ - '0';
			if (v1 != v2)
				return v1 < v2 ? -1 : 1;
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return (unsigned char)*p1 - (unsigned char)*p2;
		} else {
			p1++;
			p2++;
		}
	}
	return -(unsigned char)*p2;
}

/*
 * The cache entries named name, as dl-cache.c's search finds them: a binary
 * search over entries ldconfig sorted in descending order, then back to the
 * first of the equal names.  Returns the first index (-1 for none); the
 * caller walks on while the name stays equal.
 */
static long cache_first(const struct ldso *ld, const char *name)
{
	long left = 0, right = (long)ld->n_cache - 1;

	while (left <= right) {
		long middle = left + (right - left) / 2;
		const char *key = cache_string(ld, (uint32_t)middle, 0);
		int cmp;

		if (!key)
			return -1;
		cmp = cache_libcmp(name, key);
		if (cmp == 0) {
			while (middle > 0 && (key = cache_string(ld, (uint32_t)middle - 1, 0)) &&
			       cache_libcmp(name, key) == 0)
				middle--;
			return middle;
		}
		if (cmp < 0)
			left = middle + 1;
		else
			right = middle - 1;
	}
	return -1;
}

int ldso_init_with(struct ldso *ld, const char *cache_path, const char *const *system_dirs)
{
	struct utsname u;

	memset(ld, 0, sizeof(*ld));
	ld->lib_dst = PLUGKIT_DST_LIB;
	/* AT_PLATFORM is the machine name on x86_64 and most others. */
	if (uname(&u) == 0)
		snprintf(ld->platform_dst, sizeof(ld->platform_dst), "%s", u.machine);
	ld->cache_path = cache_path;
	ld->system_dirs = system_dirs;
	read_cache(ld);
	return ld->out_of_memory ? -1 : 0;
}

int ldso_init(struct ldso *ld)
{
	return ldso_init_with(ld, PLUGKIT_LD_SO_CACHE, debian_system_dirs);
}

void ldso_free(struct ldso *ld)
{
	for (size_t i = 0; i < ld->n_objects; i++) {
		elf_close(&ld->objects[i]->elf);
		free(ld->objects[i]->origin);
		free(ld->objects[i]);
	}
	for (size_t i = 0; i < ld->by_name.cap; i++)
		free(ld->by_name.slots[i].name);
	free(ld->objects);
	free(ld->by_id.slots);
	free(ld->by_name.slots);
	unmap_file(&ld->cache);
	memset(ld, 0, sizeof(*ld));
}

/* ld.so sets $ORIGIN from the name an object was opened by, made absolute
 * but with symlinks left alone. */
static char *origin_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash && slash != path ? (int)(slash - path) : 1;
	const char *dir = slash ? path : ".";
	char *cwd, *abs;

	if (path[0] == '/')
		return strndup(path, (size_t)dirlen);
	cwd = getcwd(NULL, 0);
	if (asprintf(&abs, "%s/%.*s", cwd ? cwd : ".", dirlen, dir) < 0)
		abs = NULL;
	free(cwd);
	return abs;
}

/* FNV-1a over bytes: the two indexes' hash. */
static size_t fnv(const void *p, size_t n, size_t h)
{
	for (const unsigned char *b = p; n--; b++)
		h = (h ^ *b) * 0x100000001b3u;
	return h;
}

static size_t id_slot(const struct object_index *x, dev_t dev, ino_t ino)
{
	size_t h = fnv(&ino, sizeof(ino), fnv(&dev, sizeof(dev), 0xcbf29ce484222325u));

	for (h &= x->cap - 1; x->slots[h]; h = (h + 1) & (x->cap - 1))
		if (x->slots[h]->elf.dev == dev && x->slots[h]->elf.ino == ino)
			break;
	return h;
}

static size_t name_slot(const struct name_index *x, const char *name)
{
	size_t h = fnv(name, strlen(name), 0xcbf29ce484222325u);

	for (h &= x->cap - 1; x->slots[h].name; h = (h + 1) & (x->cap - 1))
		if (strcmp(x->slots[h].name, name) == 0)
			break;
	return h;
}

/* Both indexes are kept at most half full; growing rehashes. */
static bool index_object(struct ldso *ld, struct object_index *x, struct object *obj)
{
	if (2 * (x->n + 1) > x->cap) {
		struct object_index bigger = {.cap = x->cap ? 2 * x->cap : 64};

		if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots)))) {
			ld->out_of_memory = true;
			return false;
		}
		for (size_t i = 0; i < x->cap; i++)
			if (x->slots[i])
				bigger.slots[id_slot(&bigger, x->slots[i]->elf.dev,
						     x->slots[i]->elf.ino)] = x->slots[i];
		bigger.n = x->n;
		free(x->slots);
		*x = bigger;
	}
	x->slots[id_slot(x, obj->elf.dev, obj->elf.ino)] = obj;
	x->n++;
	return true;
}

static void index_name(struct ldso *ld, struct name_index *x, const char *name, struct object *obj)
{
	size_t h;

	if (2 * (x->n + 1) > x->cap) {
		struct name_index bigger = {.cap = x->cap ? 2 * x->cap : 64};

		if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots)))) {
			ld->out_of_memory = true;
			return;
		}
		for (size_t i = 0; i < x->cap; i++)
			if (x->slots[i].name)
				bigger.slots[name_slot(&bigger, x->slots[i].name)] = x->slots[i];
		bigger.n = x->n;
		free(x->slots);
		*x = bigger;
	}
	h = name_slot(x, name);
	if (!x->slots[h].name && (x->slots[h].name = dup_string(ld, name))) {
		x->slots[h].obj = obj;
		x->n++;
	}
}

struct object *ldso_open(struct ldso *ld, const char *path, char *err, size_t errlen)
{
	struct object *obj = NULL, **objects;
	struct stat st;
	size_t h;

	/* A name already opened is that file again (the checker's files do
	 * not change while it runs). */
	if (ld->by_name.cap && ld->by_name.slots[h = name_slot(&ld->by_name, path)].name)
		return ld->by_name.slots[h].obj;
	/* One parse per file, whatever name reaches it: ld.so too compares
	 * device and inode before loading a file a second time. */
	if (ld->by_id.cap && stat(path, &st) == 0 &&
	    (obj = ld->by_id.slots[id_slot(&ld->by_id, st.st_dev, st.st_ino)])) {
		index_name(ld, &ld->by_name, path, obj);
		return obj;
	}
	if (ld->n_objects == ld->cap_objects) {
		size_t cap = ld->cap_objects ? 2 * ld->cap_objects : 64;

		if (!(objects = grow(ld, ld->objects, cap * sizeof(*ld->objects)))) {
			snprintf(err, errlen, "%s: out of memory", path);
			return NULL;
		}
		ld->objects = objects;
		ld->cap_objects = cap;
	}
	if (!(obj = grow(ld, NULL, sizeof(*obj)))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (elf_open(path, &obj->elf, err, errlen) != 0) {
		free(obj);
		return NULL;
	}
	if (!(obj->origin = origin_of(path)) || !index_object(ld, &ld->by_id, obj)) {
		ld->out_of_memory = true;
		free(obj->origin);
		elf_close(&obj->elf);
		free(obj);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	ld->objects[ld->n_objects++] = obj;
	index_name(ld, &ld->by_name, path, obj);
	return obj;
}

/* Replaces $NAME or ${NAME} at *s when it is one of ld.so's tokens. */
static bool dst_token(const char **s, const char *name, const char *value, char **o, char *end)
{
	size_t n = strlen(name), vn = strlen(value);
	const char *p = *s + 1;

	if (*p == '{') {
		if (strncmp(p + 1, name, n) != 0 || p[1 + n] != '}')
			return false;
		p += n + 2;
	} else {
		if (strncmp(p, name, n) != 0 || p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z') ||
		    (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9'))
			return false;
		p += n;
	}
	if (vn >= (size_t)(end - *o))
		return false;
	memcpy(*o, value, vn);
	*o += vn;
	*s = p;
	return true;
}

bool ldso_expand(const struct ldso *ld, const struct object *obj, const char *entry, char *out,
		 size_t outlen)
{
	char *o = out, *end = out + outlen - 1;

	for (const char *s = entry; *s;) {
		if (*s == '$') {
			if (!dst_token(&s, "ORIGIN", obj->origin, &o, end) &&
			    !dst_token(&s, "LIB", ld->lib_dst, &o, end) &&
			    !dst_token(&s, "PLATFORM", ld->platform_dst, &o, end))
				return false;
			continue;
		}
		if (o >= end)
			return false;
		*o++ = *s++;
	}
	*o = '\0';
	return true;
}

/* ld.so skips a candidate of another class or machine and searches on. */
static bool compatible(const struct object *a, const struct object *b)
{
	return a->elf.is64 == b->elf.is64 && a->elf.machine == b->elf.machine;
}

static void note_searched(struct ldso *ld, char **searched, const char *dir)
{
	size_t old = *searched ? strlen(*searched) : 0;
	char *grown = grow(ld, *searched, old + strlen(dir) + 2);

	if (!grown)
		return;
	*searched = grown;
	snprintf(*searched + old, strlen(dir) + 2, "%s%s", old ? ":" : "", dir);
}

/* requester NULL: no object to compare with, any ELF file will do. */
static struct object *try_file(struct ldso *ld, const struct object *requester, const char *path)
{
	char err[PATH_MAX + 128];
	struct object *obj;

	if (access(path, F_OK) != 0)
		return NULL;
	obj = ldso_open(ld, path, err, sizeof(err));
	return obj && (!requester || compatible(obj, requester)) ? obj : NULL;
}

/* Tries name in every directory of a ':'-separated DT_RPATH/DT_RUNPATH. */
static struct object *search_path_list(struct ldso *ld, const struct object *owner,
				       const struct object *requester, const char *list,
				       const char *name, char **searched)
{
	char entry[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];

	for (const char *s = list;;) {
		size_t n = strcspn(s, ":");
		struct object *obj;

		snprintf(entry, sizeof(entry), "%.*s", (int)n, s);
		/* An empty entry is the current directory to ld.so. */
		if (ldso_expand(ld, owner, n ? entry : ".", dir, sizeof(dir))) {
			note_searched(ld, searched, dir);
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
				    sizeof(path) &&
			    (obj = try_file(ld, requester, path)))
				return obj;
		}
		if (!s[n])
			return NULL;
		s += n + 1;
	}
}

/* The places every search ends with: ld.so.cache, then the system
 * directories, taking the first file fit for req (any, when NULL). */
static struct object *search_default(struct ldso *ld, const struct object *req, const char *name,
				     char **searched)
{
	struct object *obj;
	char path[PATH_MAX];

	for (long i = cache_first(ld, name); i >= 0 && (size_t)i < ld->n_cache; i++) {
		const char *key = cache_string(ld, (uint32_t)i, 0), *value;

		if (!key || cache_libcmp(name, key) != 0)
			break;
		if ((value = cache_string(ld, (uint32_t)i, 1)) && (obj = try_file(ld, req, value)))
			return obj;
	}
	if (ld->cache_path)
		note_searched(ld, searched, ld->cache_path);
	for (const char *const *d = ld->system_dirs; *d; d++) {
		note_searched(ld, searched, *d);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", *d, name) < sizeof(path) &&
		    (obj = try_file(ld, req, path)))
			return obj;
	}
	return NULL;
}

/*
 * _dl_map_object's order for a name without a slash: the requester's
 * DT_RPATH and its loaders' (only when the requester has no DT_RUNPATH),
 * then the executable's DT_RPATH, [LD_LIBRARY_PATH: not simulated], the
 * requester's DT_RUNPATH, ld.so.cache, the system directories (the last
 * two skipped for DF_1_NODEFLIB).
 */
static struct object *search(struct ldso *ld, const struct process *p, int requester,
			     const char *name, char **searched)
{
	const struct object *req = p->loaded[requester].obj;
	struct object *obj;
	bool did_main = false;

	if (!req->elf.runpath) {
		for (int l = requester; l >= 0; l = p->loaded[l].parent) {
			const struct object *o = p->loaded[l].obj;

			if (o->elf.rpath &&
			    (obj = search_path_list(ld, o, req, o->elf.rpath, name, searched)))
				return obj;
			did_main |= l == 0;
		}
		if (!did_main && p->n_loaded && p->loaded[0].obj->elf.type == ET_EXEC &&
		    p->loaded[0].obj->elf.rpath &&
		    (obj = search_path_list(ld, p->loaded[0].obj, req, p->loaded[0].obj->elf.rpath,
					    name, searched)))
			return obj;
	}
	if (req->elf.runpath &&
	    (obj = search_path_list(ld, req, req, req->elf.runpath, name, searched)))
		return obj;
	if (req->elf.flags_1 & DF_1_NODEFLIB)
		return NULL;
	return search_default(ld, req, name, searched);
}

static int append(struct ldso *ld, struct process *p, struct object *obj, const char *name,
		  int parent, bool late)
{
	if (p->n_loaded == p->cap_loaded) {
		size_t cap = p->cap_loaded ? 2 * p->cap_loaded : 16;
		struct loaded *grown = grow(ld, p->loaded, cap * sizeof(*p->loaded));

		if (!grown)
			return -1;
		p->loaded = grown;
		p->cap_loaded = cap;
	}
	p->loaded[p->n_loaded] =
		(struct loaded){.obj = obj, .name = name, .parent = parent, .late = late};
	return (int)p->n_loaded++;
}

/* The loaded index satisfying requester's DT_NEEDED name, loading it when
 * needed; -1 (recorded in p->unresolved) when nothing does, or -1 with
 * ld->out_of_memory. */
static int map_needed(struct ldso *ld, struct process *p, int requester, const char *name,
		      bool late)
{
	char *searched = NULL, path[PATH_MAX];
	struct object *obj = NULL;

	/* _dl_name_match_p: the names an object was loaded by and its SONAME. */
	for (size_t i = 0; i < p->n_loaded; i++)
		if (strcmp(p->loaded[i].name, name) == 0 ||
		    (p->loaded[i].obj->elf.soname &&
		     strcmp(p->loaded[i].obj->elf.soname, name) == 0))
			return (int)i;
	if (strchr(name, '/')) {
		if (ldso_expand(ld, p->loaded[requester].obj, name, path, sizeof(path)))
			obj = try_file(ld, p->loaded[requester].obj, path);
		note_searched(ld, &searched, "(the path itself)");
	} else {
		obj = search(ld, p, requester, name, &searched);
	}
	if (!obj && !ld->out_of_memory) {
		struct unresolved *grown =
			grow(ld, p->unresolved, (p->n_unresolved + 1) * sizeof(*p->unresolved));

		if (grown) {
			p->unresolved = grown;
			p->unresolved[p->n_unresolved++] =
				(struct unresolved){.requester = requester,
						    .name = name,
						    .searched = searched};
			return -1;
		}
	}
	free(searched);
	if (!obj)
		return -1;
	for (size_t i = 0; i < p->n_loaded; i++)
		if (p->loaded[i].obj == obj)
			return (int)i;
	return append(ld, p, obj, name, requester, late);
}

int process_start(struct ldso *ld, struct process *p, struct object *root)
{
	memset(p, 0, sizeof(*p));
	append(ld, p, root, root->elf.path, -1, false);
	/* Breadth-first: the order objects are found in is the scope's order. */
	for (size_t i = 0; i < p->n_loaded; i++)
		for (size_t k = 0; k < p->loaded[i].obj->elf.n_needed; k++)
			map_needed(ld, p, (int)i, p->loaded[i].obj->elf.needed[k], false);
	p->n_startup = p->n_global = p->n_loaded;
	return ld->out_of_memory ? -1 : 0;
}

struct object *ldso_find(struct ldso *ld, struct object *root, const struct object *like,
			 const char *name, char **searched)
{
	struct process p;
	struct object *obj = NULL;
	int idx;

	*searched = NULL;
	if (!root)
		return search_default(ld, like, name, searched);
	/* As one more DT_NEEDED of the executable: a start-up object that
	 * answers to the name first (_dl_name_match_p), then its search. */
	if (process_start(ld, &p, root) == 0 && (idx = map_needed(ld, &p, 0, name, false)) >= 0)
		obj = p.loaded[idx].obj;
	else if (p.n_unresolved && p.unresolved[p.n_unresolved - 1].name == name)
		*searched = p.unresolved[p.n_unresolved - 1].searched,
		p.unresolved[p.n_unresolved - 1].searched = NULL;
	process_free(&p);
	return obj;
}

static bool in_local(const struct process *p, int idx)
{
	for (size_t i = 0; i < p->n_local; i++)
		if (p->local[i] == idx)
			return true;
	return false;
}

int process_dlopen(struct ldso *ld, struct process *p, struct object *plugin, int caller)
{
	int root = -1, *grown;

	for (size_t i = 0; i < p->n_loaded; i++)
		if (p->loaded[i].obj == plugin)
			root = (int)i;
	if (root < 0 && (root = append(ld, p, plugin, plugin->elf.path, caller, true)) < 0)
		return -1;
	if (!(grown = grow(ld, p->local, (p->n_loaded + 1) * sizeof(int))))
		return -1;
	p->local = grown;
	p->n_local = 0;
	p->local[p->n_local++] = root;
	for (size_t i = 0; i < p->n_local; i++) {
		int cur = p->local[i];

		for (size_t k = 0; k < p->loaded[cur].obj->elf.n_needed; k++) {
			int j = map_needed(ld, p, cur, p->loaded[cur].obj->elf.needed[k], true);

			if (j < 0 || in_local(p, j))
				continue;
			if (!(grown = grow(ld, p->local, (p->n_local + 1) * sizeof(int))))
				return -1;
			p->local = grown;
			p->local[p->n_local++] = j;
		}
	}
	return ld->out_of_memory ? -1 : root;
}

static void forget_bindings(struct binding_memo *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void process_reset(struct process *p)
{
	size_t kept = 0;

	/* The global scope's unresolved entries stay; the plugin's go with it. */
	for (size_t i = 0; i < p->n_unresolved; i++) {
		if ((size_t)p->unresolved[i].requester < p->n_global)
			p->unresolved[kept++] = p->unresolved[i];
		else
			free(p->unresolved[i].searched);
	}
	p->n_unresolved = kept;
	p->n_loaded = p->n_global;
	p->n_local = 0;
}

/* dl-open.c's add_to_global: the new objects are appended to the main
 * namespace's search list, after everything already there. */
void process_make_global(struct process *p)
{
	p->n_global = p->n_loaded;
	p->n_local = 0;
	forget_bindings(&p->memo);
}

void process_free(struct process *p)
{
	forget_bindings(&p->memo);
	for (size_t i = 0; i < p->n_unresolved; i++)
		free(p->unresolved[i].searched);
	free(p->loaded);
	free(p->local);
	free(p->unresolved);
	memset(p, 0, sizeof(*p));
}

const struct elf_version *ldso_ref_version(const struct object *obj, const struct elf_sym *sym)
{
	const struct elf_version *v;

	if (!obj->elf.has_versym)
		return NULL;
	v = elf_version(&obj->elf, sym->versym);
	/* The base entry names the file, not a version (l_versions skips it). */
	return v && !v->base && v->hash ? v : NULL;
}

/* What do_lookup_x accepts as a definition at all. */
static bool usable_definition(const struct elf_sym *s)
{
	if (!elf_sym_defined(s) || s->bind == STB_LOCAL)
		return false;
	if (s->value == 0 && s->type != STT_TLS && s->shndx != SHN_ABS)
		return false;
	switch (s->type) {
	case STT_NOTYPE:
	case STT_OBJECT:
	case STT_FUNC:
	case STT_COMMON:
	case STT_TLS:
	case STT_GNU_IFUNC: return true;
	}
	return false;
}

/*
 * check_match(), for one object: the entry of name it gives to a reference
 * asking for ver (NULL: unversioned), or -1.
 */
static long match_in(const struct object *obj, const char *name, uint32_t gnu_hash,
		     const struct elf_version *ver)
{
	struct elf_lookup it;
	long candidate = -1;
	unsigned candidates = 0;

	for (long k = elf_lookup_first_hashed(&obj->elf, name, gnu_hash, ELF_LOOKUP_DEFINED, &it);
	     k >= 0; k = elf_lookup_next(&obj->elf, &it)) {
		const struct elf_sym *s = &obj->elf.dynsym[k];
		uint16_t ndx = s->versym & 0x7fff;
		const struct elf_version *dv;

		if (!usable_definition(s))
			continue;
		if (!obj->elf.has_versym)
			return k;
		dv = elf_version(&obj->elf, ndx);
		if (dv && dv->base)
			dv = NULL;
		if (ver) {
			/* A different version is refused when either side is
			 * really versioned or the definition is hidden. */
			uint32_t dhash = dv ? dv->hash : 0;
			bool same = dv && dhash == ver->hash && strcmp(dv->name, ver->name) == 0;

			if (!same && (ver->hidden || dhash != 0 || (s->versym & 0x8000)))
				continue;
			return k;
		}
		/* Unversioned reference: indices 0..2 match outright; a later
		 * default (non-hidden) version only if it is the only one. */
		if (ndx < 3)
			return k;
		if (!(s->versym & 0x8000) && candidates++ == 0)
			candidate = k;
	}
	return candidates == 1 ? candidate : -1;
}

/* The memo's slot for name and ver: theirs, or the empty one to fill. */
static struct global_binding *memo_slot(const struct binding_memo *m, const char *name,
					uint32_t hash, const struct elf_version *ver)
{
	size_t name_len = strlen(name);

	for (size_t h = hash & (m->cap - 1);; h = (h + 1) & (m->cap - 1)) {
		struct global_binding *g = &m->slots[h];

		if (!g->key)
			return g;
		if (g->hash == hash && g->versioned == (ver != NULL) &&
		    (!ver || (g->ver_hash == ver->hash && g->ver_hidden == ver->hidden &&
			      strcmp(g->key + name_len + 1, ver->name) == 0)) &&
		    strcmp(g->key, name) == 0)
			return g;
	}
}

/* Remembers b; a memo that cannot grow only forgets (it is a cache). */
static void memo_keep(struct binding_memo *m, const char *name, uint32_t hash,
		      const struct elf_version *ver, struct binding b)
{
	size_t name_len = strlen(name), ver_len = ver ? strlen(ver->name) : 0;
	struct global_binding *g;

	if (2 * (m->n + 1) > m->cap) {
		struct binding_memo bigger = {.cap = m->cap ? 2 * m->cap : 256, .n = m->n};

		if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))))
			return;
		for (size_t i = 0; i < m->cap; i++) {
			size_t h = m->slots[i].hash & (bigger.cap - 1);

			if (!m->slots[i].key)
				continue;
			while (bigger.slots[h].key)
				h = (h + 1) & (bigger.cap - 1);
			bigger.slots[h] = m->slots[i];
		}
		free(m->slots);
		*m = bigger;
	}
	g = memo_slot(m, name, hash, ver);
	if (!(g->key = malloc(name_len + ver_len + 2)))
		return;
	memcpy(g->key, name, name_len + 1);
	memcpy(g->key + name_len + 1, ver ? ver->name : "", ver_len + 1);
	g->hash = hash;
	g->versioned = ver != NULL;
	g->ver_hash = ver ? ver->hash : 0;
	g->ver_hidden = ver && ver->hidden;
	g->b = b;
	m->n++;
}

struct binding ldso_bind(struct process *p, int from, const char *name,
			 const struct elf_version *ver)
{
	struct binding b = {.def = -1, .sym = -1};
	const struct loaded *l = &p->loaded[from];
	/* One hash per name, as ld.so's _dl_lookup_symbol_x works it out once
	 * for the whole scope. */
	uint32_t gnu_hash = elf_gnu_hash(name),
		 key = gnu_hash ^ (ver ? ver->hash * 0x9e3779b1u : 0);
	struct global_binding *known;

	/* DF_SYMBOLIC / DT_SYMBOLIC: the object's own definitions first. */
	if (l->obj->elf.flags & DF_SYMBOLIC) {
		long s = match_in(l->obj, name, gnu_hash, ver);

		if (s >= 0)
			return (struct binding){.def = from, .sym = s};
	}
	if (p->memo.cap && (known = memo_slot(&p->memo, name, key, ver))->key) {
		b = known->b;
	} else {
		for (size_t i = 0; i < p->n_global && b.def < 0; i++) {
			long s = match_in(p->loaded[i].obj, name, gnu_hash, ver);

			if (s >= 0)
				b = (struct binding){.def = (int)i, .sym = s};
		}
		memo_keep(&p->memo, name, key, ver, b);
	}
	if (b.def >= 0)
		return b;
	/* An RTLD_LOCAL plugin's closure sees the global scope, then its own
	 * search list. */
	if (l->late)
		for (size_t i = 0; i < p->n_local; i++) {
			long s = match_in(p->loaded[p->local[i]].obj, name, gnu_hash, ver);

			if (s >= 0)
				return (struct binding){.def = p->local[i], .sym = s};
		}
	return b;
}
