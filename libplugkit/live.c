#include "live.h"

#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "dynmem.h"

static const ElfW(Dyn) *dynamic_of(const struct dl_phdr_info *info)
{
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			return (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return NULL;
}

static void free_object(struct live_object *o)
{
	free(o->name);
	free(o->soname);
}

struct walk {
	struct live *lv;
	struct live_object *old;  /* the previous snapshot, to reuse what did not change */
	size_t n_old, next_old;
	bool stale, failed;
};

/* ld.so keeps its list in load order and only appends, so an object that
 * is still loaded is found again in the same order: reuse its entry and
 * its file identity (a stat() per object, paid once). */
static bool reuse(struct walk *w, const char *name, struct live_object *out)
{
	for (size_t i = w->next_old; i < w->n_old; i++)
		if (w->old[i].name && strcmp(w->old[i].name, name) == 0) {
			*out = w->old[i];
			w->old[i].name = w->old[i].soname = NULL;
			w->next_old = i + 1;
			return true;
		}
	return false;
}

static bool identify(const char *name, struct live_object *o)
{
	struct stat st;

	/* The program's l_name is empty; the kernel knows its file. */
	if (stat(*name ? name : "/proc/self/exe", &st) == 0) {
		o->dev = st.st_dev;
		o->ino = st.st_ino;
		o->have_id = true;
	}
	return true;
}

static int snapshot(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	struct live *lv = w->lv;
	struct live_object o = {0};
	const char *name = info->dlpi_name ? info->dlpi_name : "";

	if (!w->stale) {
		/* dlpi_adds and dlpi_subs (glibc 2.4) count every load and
		 * unload since start-up: unchanged, the snapshot stands. */
		if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs) &&
		    lv->valid && info->dlpi_adds == lv->adds && info->dlpi_subs == lv->subs)
			return 1;
		w->stale = true;
		lv->adds = info->dlpi_adds;
		lv->subs = info->dlpi_subs;
		w->old = lv->v;
		w->n_old = lv->n;
		lv->v = NULL;
		lv->n = lv->cap = 0;
	}
	if (lv->n == lv->cap) {
		size_t cap = lv->cap ? 2 * lv->cap : 32;
		struct live_object *grown = realloc(lv->v, cap * sizeof(*grown));

		if (!grown)
			goto oom;
		lv->v = grown;
		lv->cap = cap;
	}
	if (!reuse(w, name, &o)) {
		const char *soname = dyn_string(info->dlpi_addr, dynamic_of(info), DT_SONAME);

		o.name = strdup(name);
		o.soname = soname ? strdup(soname) : NULL;
		if (!o.name || (soname && !o.soname)) {
			free_object(&o);
			goto oom;
		}
		identify(name, &o);
	}
	lv->v[lv->n++] = o;
	return 0;
oom:
	w->failed = true;
	return 1;
}

int live_refresh(struct live *lv)
{
	struct walk w = {.lv = lv};

	dl_iterate_phdr(snapshot, &w);
	for (size_t i = 0; i < w.n_old; i++)
		free_object(&w.old[i]);
	free(w.old);
	lv->valid = !w.failed;
	return w.failed ? -1 : 0;
}

const struct live_object *live_by_name(const struct live *lv, const char *name)
{
	for (size_t i = 0; i < lv->n; i++)
		if (strcmp(lv->v[i].name, name) == 0 ||
		    (lv->v[i].soname && strcmp(lv->v[i].soname, name) == 0))
			return &lv->v[i];
	return NULL;
}

const struct live_object *live_by_file(const struct live *lv, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < lv->n; i++)
		if (lv->v[i].have_id && lv->v[i].dev == dev && lv->v[i].ino == ino)
			return &lv->v[i];
	return NULL;
}

const struct live_object *live_by_soname(const struct live *lv, const char *soname)
{
	for (size_t i = 0; i < lv->n; i++)
		if (lv->v[i].soname && strcmp(lv->v[i].soname, soname) == 0)
			return &lv->v[i];
	return NULL;
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
	const char *soname = dyn_string(info->dlpi_addr, dyn, DT_SONAME);

	(void)size;
	if (soname && is_libc_soname(soname))
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (dyn_sym_exported(dyn_lookup(info->dlpi_addr, dyn, d->names[i]))) {
			*d->which = d->names[i];
			snprintf(d->buf, d->len, "%s",
				 info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "the program");
			d->found = true;
			return 1;
		}
	return 0;
}

const char *live_defines_any(const char *const *names, size_t n, const char **which, char *buf,
			     size_t len)
{
	struct definer d = {.names = names, .n = n, .which = which, .buf = buf, .len = len};

	dl_iterate_phdr(find_definer, &d);
	return d.found ? buf : NULL;
}
