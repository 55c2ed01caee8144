#include "live.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "dynmem.h"

/*
 * The objects that stay loaded for good: the program and what its
 * DT_NEEDED entries brought in at start-up, and theirs in turn (glibc
 * unloads only what dlopen loaded: _dl_close_worker passes over every
 * object whose l_type is not lt_loaded).  Found once, each by ld.so's own
 * name matching (dlopen with RTLD_NOLOAD), and kept by the address of
 * their dynamic section, which no other object can ever have: their
 * SONAMEs are read once, where a walk reads every other object's SONAME
 * from its dynamic section again.
 */
#define STARTUP_MAX 64

static struct {
	pthread_once_t once;
	size_t n;
	const ElfW(Dyn) * dyn[STARTUP_MAX];
	const char *soname[STARTUP_MAX];
} startup = {.once = PTHREAD_ONCE_INIT};

static bool add_startup(const struct link_map *map, const struct link_map **maps)
{
	for (size_t i = 0; i < startup.n; i++)
		if (startup.dyn[i] == map->l_ld)
			return false;
	if (startup.n == STARTUP_MAX || !map->l_ld)
		return false;
	maps[startup.n] = map;
	startup.dyn[startup.n] = map->l_ld;
	startup.soname[startup.n++] = dyn_string(map->l_addr, map->l_ld, DT_SONAME);
	return true;
}

static void find_startup(void)
{
	const struct link_map *maps[STARTUP_MAX], *program;
	void *self = dlopen(NULL, RTLD_LAZY);

	if (!self || dlinfo(self, RTLD_DI_LINKMAP, &program) != 0)
		return;
	add_startup(program, maps);
	/* Breadth first, as start-up loaded them. */
	for (size_t i = 0; i < startup.n; i++) {
		const char *strtab = (const char *)dyn_absolute(
			maps[i]->l_addr, dyn_value(maps[i]->l_ld, DT_STRTAB));

		for (const ElfW(Dyn) *d = maps[i]->l_ld; strtab && d->d_tag != DT_NULL; d++) {
			const struct link_map *map;
			void *h;

			if (d->d_tag != DT_NEEDED ||
			    !(h = dlopen(strtab + d->d_un.d_val, RTLD_LAZY | RTLD_NOLOAD)))
				continue;
			if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0)
				add_startup(map, maps);
			dlclose(h);
		}
	}
}

void live_find_startup(void)
{
	pthread_once(&startup.once, find_startup);
}

static const ElfW(Dyn) * dynamic_of(const struct dl_phdr_info *info)
{
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			return (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return NULL;
}

/* The object's SONAME, or NULL: kept for a start-up object, else read. */
static const char *soname_of(const struct dl_phdr_info *info, const ElfW(Dyn) * dyn)
{
	for (size_t i = 0; i < startup.n; i++)
		if (startup.dyn[i] == dyn)
			return startup.soname[i];
	return dyn_string(info->dlpi_addr, dyn, DT_SONAME);
}

/* strcmp, after a look at the first letters: most names differ there. */
static bool same(const char *a, const char *b)
{
	return a && a[0] == b[0] && strcmp(a, b) == 0;
}

static const char *name_of(const struct dl_phdr_info *info)
{
	return info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "the program";
}

struct names {
	const char *const *names;
	size_t n;
	bool *loaded;
};

static int match_names(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct names *q = arg;
	const char *soname = soname_of(info, dynamic_of(info));

	(void)size;
	for (size_t i = 0; i < q->n; i++)
		if (!q->loaded[i] &&
		    (same(info->dlpi_name, q->names[i]) || same(soname, q->names[i])))
			q->loaded[i] = true;
	return 0;
}

void live_match_names(const char *const *names, size_t n, bool *loaded)
{
	struct names q = {.names = names, .n = n, .loaded = loaded};

	live_find_startup();
	dl_iterate_phdr(match_names, &q);
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
	const char *soname = soname_of(info, dynamic_of(info));

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
	const char *soname = soname_of(info, dyn);

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
