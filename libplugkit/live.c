#include "live.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "dynmem.h"

static const ElfW(Dyn) * dynamic_of(const struct dl_phdr_info *info)
{
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			return (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return NULL;
}

/*
 * The objects that stay loaded for good: the program and what its
 * DT_NEEDED entries brought in at start-up, and theirs in turn (glibc
 * unloads only what dlopen loaded: _dl_close_worker passes over every
 * object whose l_type is not lt_loaded).  Found once, each by ld.so's own
 * name matching (dlopen with RTLD_NOLOAD).  Their SONAMEs are kept by
 * their load address, which no other object can ever have, where a walk
 * reads every other object's SONAME from its dynamic section again.  The
 * names they were loaded under (their DT_NEEDED entries) and their SONAMEs
 * are answered by a start-up object for good (ld.so adds each to the names
 * of the object it found), so a plugin's DT_NEEDED entry among them needs
 * no walk at all.
 */
#define STARTUP_MAX 64
#define NAMES_SLOTS 256 /* a power of two, kept at most half full */

static struct {
	pthread_once_t once;
	size_t n, n_names;
	ElfW(Addr) addr[STARTUP_MAX];
	const char *soname[STARTUP_MAX];
	const char *names[NAMES_SLOTS]; /* by name_slot, open addressing */
} startup = {.once = PTHREAD_ONCE_INIT};

/*
 * Where a name's search starts: its length and four of its letters (the
 * first, the one after "lib", the middle and the last), not a hash of
 * every byte: this runs for every DT_NEEDED name of every file judged.
 * Names alike in all of these share a run, and strcmp tells them apart.
 */
static uint32_t name_slot(const char *name)
{
	size_t len = strlen(name);
	const unsigned char *u = (const unsigned char *)name;

	if (!len)
		return 0;
	return (uint32_t)(len * 0x9e3779b1u ^ u[0] ^ u[len > 3 ? 3 : 0] * 131u ^ u[len / 2] * 31u ^
			  u[len - 1] * 7u);
}

static bool startup_name(const char *name)
{
	for (uint32_t h = name_slot(name);; h++) {
		const char *at = startup.names[h & (NAMES_SLOTS - 1)];

		if (!at)
			return false;
		if (strcmp(at, name) == 0)
			return true;
	}
}

static void add_startup_name(const char *name)
{
	uint32_t h;

	if (!name || startup.n_names >= NAMES_SLOTS / 2 || startup_name(name))
		return;
	for (h = name_slot(name); startup.names[h & (NAMES_SLOTS - 1)]; h++)
		;
	startup.names[h & (NAMES_SLOTS - 1)] = name;
	startup.n_names++;
}

static void add_startup(const struct link_map *map, const struct link_map **maps)
{
	for (size_t i = 0; i < startup.n; i++)
		if (maps[i] == map)
			return;
	if (startup.n == STARTUP_MAX || !map->l_ld)
		return;
	maps[startup.n] = map;
	startup.addr[startup.n] = map->l_addr;
	startup.soname[startup.n] = dyn_string(map->l_addr, map->l_ld, DT_SONAME);
	if (startup.soname[startup.n])
		add_startup_name(startup.soname[startup.n]);
	startup.n++;
}

/*
 * dlopen appends to ld.so's list, so every object ahead of one that came
 * at start-up came then too: the vDSO and LD_PRELOAD's, which no DT_NEEDED
 * entry names.  Objects are held back until a known one follows them.
 */
struct earlier {
	size_t n;
	ElfW(Addr) addr[STARTUP_MAX];
	const char *soname[STARTUP_MAX];
};

static int add_earlier(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct earlier *e = arg;
	size_t known = 0;

	(void)size;
	while (known < startup.n && startup.addr[known] != info->dlpi_addr)
		known++;
	if (known == startup.n && e->n < STARTUP_MAX) {
		e->addr[e->n] = info->dlpi_addr;
		e->soname[e->n++] = dyn_string(info->dlpi_addr, dynamic_of(info), DT_SONAME);
	} else if (known < startup.n) {
		for (size_t i = 0; i < e->n && startup.n < STARTUP_MAX; i++) {
			startup.addr[startup.n] = e->addr[i];
			startup.soname[startup.n++] = e->soname[i];
		}
		e->n = 0;
	}
	return 0;
}

static void find_startup(void)
{
	const struct link_map *maps[STARTUP_MAX], *program;
	static struct earlier earlier;
	void *self = dlopen(NULL, RTLD_LAZY);

	if (!self)
		return;
	if (dlinfo(self, RTLD_DI_LINKMAP, &program) != 0) {
		dlclose(self);
		return;
	}
	add_startup(program, maps);
	/* Breadth first, as start-up loaded them. */
	for (size_t i = 0; i < startup.n; i++) {
		const char *strtab =
			(const char *)dyn_absolute(maps[i]->l_addr,
						   dyn_value(maps[i]->l_ld, DT_STRTAB));

		for (const ElfW(Dyn) *d = maps[i]->l_ld; strtab && d->d_tag != DT_NULL; d++) {
			const char *name = strtab + d->d_un.d_val;
			const struct link_map *map;
			void *h;

			if (d->d_tag != DT_NEEDED || !(h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD)))
				continue;
			if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0) {
				add_startup_name(name);
				add_startup(map, maps);
			}
			dlclose(h);
		}
	}
	dlclose(self);
	dl_iterate_phdr(add_earlier, &earlier);
}

void live_find_startup(void)
{
	pthread_once(&startup.once, find_startup);
}

/* The object's SONAME, or NULL: kept for a start-up object, else read. */
static const char *soname_of(const struct dl_phdr_info *info)
{
	for (size_t i = 0; i < startup.n; i++)
		if (startup.addr[i] == info->dlpi_addr)
			return startup.soname[i];
	return dyn_string(info->dlpi_addr, dynamic_of(info), DT_SONAME);
}

/* strcmp, after a look at the first two letters: most names differ there. */
static bool same(const char *a, const char *b)
{
	return a && a[0] == b[0] && (!a[0] || (a[1] == b[1] && strcmp(a, b) == 0));
}

static const char *name_of(const struct dl_phdr_info *info)
{
	return info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "the program";
}

/* The names not matched yet: at most the 16 first; the rest are
 * looked for by another walk. */
#define NAMES_PER_WALK 16

struct names {
	const char *names[NAMES_PER_WALK];
	bool *loaded[NAMES_PER_WALK];
	size_t n, left;
};

static int match_names(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct names *q = arg;
	const char *soname = soname_of(info);

	(void)size;
	for (size_t i = 0; i < q->n; i++)
		if (!*q->loaded[i] &&
		    (same(info->dlpi_name, q->names[i]) || same(soname, q->names[i]))) {
			*q->loaded[i] = true;
			q->left--;
		}
	return !q->left;
}

void live_match_names(const char *const *names, size_t n, bool *loaded)
{
	live_find_startup();
	for (size_t i = 0; i < n;) {
		struct names q; /* only the first q.n of each array are read */

		/* A path is a start-up object's name only when it is its
		 * file's name too, which the walk compares; "" is the
		 * program's name. */
		for (q.n = 0; i < n && q.n < NAMES_PER_WALK; i++)
			if (!names[i][0] || (names[i][0] != '/' && startup_name(names[i])))
				loaded[i] = true;
			else if (!loaded[i]) {
				q.names[q.n] = names[i];
				q.loaded[q.n++] = &loaded[i];
			}
		q.left = q.n;
		if (q.n)
			dl_iterate_phdr(match_names, &q);
	}
}

struct file {
	dev_t dev;
	ino_t ino;
	bool found;
};

static int match_file(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct file *q = arg;
	struct stat st;

	(void)size;
	/* The program's l_name is empty; the kernel knows its file.  The
	 * vDSO has no file, and its stat fails. */
	q->found = stat(info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "/proc/self/exe",
			&st) == 0 &&
		   st.st_dev == q->dev && st.st_ino == q->ino;
	return q->found;
}

bool live_has_file(dev_t dev, ino_t ino)
{
	struct file q = {.dev = dev, .ino = ino};

	dl_iterate_phdr(match_file, &q);
	return q.found;
}

struct soname {
	const char *soname;
	char *buf;
	size_t len;
	bool found;
};

static int match_soname(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct soname *q = arg;
	const char *soname = soname_of(info);

	(void)size;
	if (same(soname, q->soname)) {
		snprintf(q->buf, q->len, "%s", name_of(info));
		q->found = true;
	}
	return q->found;
}

const char *live_soname_owner(const char *soname, char *buf, size_t len)
{
	struct soname q = {.soname = soname, .buf = buf, .len = len};

	live_find_startup();
	dl_iterate_phdr(match_soname, &q);
	return q.found ? buf : NULL;
}

struct definer {
	const char *const *names;
	size_t n;
	const char **which;
	char *buf;
	size_t len;
	bool found;
};

static int find_definer(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct definer *d = arg;
	const ElfW(Dyn) *dyn = dynamic_of(info);
	const char *soname = soname_of(info);

	(void)size;
	if (soname && is_libc_soname(soname))
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (dyn_sym_exported(dyn_lookup(info->dlpi_addr, dyn, d->names[i]))) {
			*d->which = d->names[i];
			snprintf(d->buf, d->len, "%s", name_of(info));
			d->found = true;
			return 1;
		}
	return 0;
}

const char *live_defines_any(const char *const *names, size_t n, const char **which, char *buf,
			     size_t len)
{
	struct definer d = {.names = names, .n = n, .which = which, .buf = buf, .len = len};

	live_find_startup();
	dl_iterate_phdr(find_definer, &d);
	return d.found ? buf : NULL;
}
