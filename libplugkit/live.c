#include "live.h"

#include <elf.h>
#include <link.h>
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
	const char *soname = dyn_string(info->dlpi_addr, dynamic_of(info), DT_SONAME);

	(void)size;
	for (size_t i = 0; i < q->n; i++)
		if (!q->loaded[i] &&
		    ((info->dlpi_name && strcmp(info->dlpi_name, q->names[i]) == 0) ||
		     (soname && strcmp(soname, q->names[i]) == 0)))
			q->loaded[i] = true;
	return 0;
}

void live_match_names(const char *const *names, size_t n, bool *loaded)
{
	struct names q = {.names = names, .n = n, .loaded = loaded};

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
	const char *soname = dyn_string(info->dlpi_addr, dynamic_of(info), DT_SONAME);

	(void)size;
	if (soname && strcmp(soname, q->soname) == 0) {
		snprintf(q->buf, q->len, "%s", name_of(info));
		q->found = true;
	}
	return q->found;
}

const char *live_soname_owner(const char *soname, char *buf, size_t len)
{
	struct soname q = {.soname = soname, .buf = buf, .len = len};

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
	const char *soname = dyn_string(info->dlpi_addr, dyn, DT_SONAME);

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

	dl_iterate_phdr(find_definer, &d);
	return d.found ? buf : NULL;
}
