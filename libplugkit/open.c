/* plugkit_open: load, hand-shake, verify; refuse with a reason. */
#include "plugkit.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "binding.h"
#include "elfread.h"
#include "rules.h"

static enum plugkit_status fail(struct plugkit_error *error, enum plugkit_status status,
				const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum plugkit_status fail(struct plugkit_error *error, enum plugkit_status status,
				const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error->message, sizeof(error->message), fmt, ap);
	va_end(ap);
	error->status = status;
	return status;
}

/*
 * dlopen's "X: cannot allocate memory in static TLS block" names X; say how
 * much initial-exec TLS it carries and what to do about it.
 */
static enum plugkit_status static_tls_error(const char *path, const char *dlerr,
					    struct plugkit_error *error)
{
	static const char marker[] = ": cannot allocate memory in static TLS block";
	const char *end = strstr(dlerr, marker);
	char object[1024], err[256];
	struct elf_file elf;
	unsigned long long bytes = 0;

	snprintf(object, sizeof(object), "%.*s", end ? (int)(end - dlerr) : 0, dlerr);
	if (object[0] && elf_open(object, &elf, err, sizeof(err)) == 0) {
		bytes = elf.tls_memsz;
		elf_close(&elf);
	}
	return fail(error, PLUGKIT_ESTATIC_TLS,
		    "%s: %s uses %llu bytes of thread-local storage in the initial-exec model, "
		    "which needs static TLS; glibc keeps only about %d spare bytes for everything "
		    "loaded after start-up, and they are gone.  Rebuild %s with "
		    "-ftls-model=global-dynamic (plugkit's plugin flags) and no "
		    "tls_model(\"initial-exec\"), or load it at start-up as a DT_NEEDED of the host",
		    path, object[0] ? object : "an object it loads", bytes, PLUGKIT_STATIC_TLS_SURPLUS,
		    object[0] ? object : "it");
}

/*
 * What a file defines of an allocator, remembered by identity (device,
 * inode, size, modification time): a host that loads the same plugin
 * again pays one stat() instead of reading its symbol table again.
 */
#define VERDICT_CACHE 64

struct verdict {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool used;
	char names[256];
};

static struct {
	pthread_mutex_t lock;
	struct verdict v[VERDICT_CACHE];
	unsigned next;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool same_file(const struct verdict *v, const struct stat *st)
{
	return v->used && v->dev == st->st_dev && v->ino == st->st_ino && v->size == st->st_size &&
	       v->mtime.tv_sec == st->st_mtim.tv_sec && v->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The allocator names path defines ("" when none); false when unreadable. */
static bool defined_allocator(const char *path, char *names, size_t len)
{
	struct elf_file elf;
	struct stat st;
	char err[256];
	bool found = false;

	if (stat(path, &st) != 0)
		return false;
	pthread_mutex_lock(&cache.lock);
	for (unsigned i = 0; i < VERDICT_CACHE && !found; i++)
		if (same_file(&cache.v[i], &st)) {
			snprintf(names, len, "%s", cache.v[i].names);
			found = true;
		}
	pthread_mutex_unlock(&cache.lock);
	if (found)
		return true;
	/* .symtab is all it takes; a stripped file shows its exports. */
	if (elf_open_parts(path, ELF_HEADERS_AND_SYMTAB, &elf, err, sizeof(err)) != 0)
		return false;
	if (!elf.symtab_count) {
		elf_close(&elf);
		if (elf_open(path, &elf, err, sizeof(err)) != 0)
			return false;
	}
	allocator_defined_names(&elf, names, len);
	elf_close(&elf);
	pthread_mutex_lock(&cache.lock);
	cache.v[cache.next] = (struct verdict){.dev = st.st_dev, .ino = st.st_ino, .size = st.st_size,
					       .mtime = st.st_mtim, .used = true};
	snprintf(cache.v[cache.next].names, sizeof(cache.v[cache.next].names), "%s", names);
	cache.next = (cache.next + 1) % VERDICT_CACHE;
	pthread_mutex_unlock(&cache.lock);
	return true;
}

/* A plugin, or something it brought in, that defines allocator functions
 * (hidden ones included) runs a heap of its own. */
static enum plugkit_status private_allocator(const char *path, struct link_map *map,
					     struct plugkit_error *error)
{
	for (; map; map = map->l_next) {
		char names[256];

		if (!map->l_name || !*map->l_name || !defined_allocator(map->l_name, names, sizeof(names)))
			continue;
		if (names[0])
			return fail(error, PLUGKIT_EPRIVATE_ALLOCATOR,
				    "%s: %s defines %s: a heap of its own, whose blocks the host's "
				    "allocator would free.  Drop it and let malloc bind to the host",
				    path, map->l_name, names);
	}
	return PLUGKIT_OK;
}

enum plugkit_status plugkit_open(const char *path, const char *descriptor_symbol, uint32_t abi,
				 struct plugkit_plugin *plugin, struct plugkit_error *error)
{
	struct link_map *map = NULL;
	char why[768];
	const char *dlerr;
	enum plugkit_status status = PLUGKIT_OK;

	memset(plugin, 0, sizeof(*plugin));
	memset(error, 0, sizeof(*error));
	/* A bare name would search LD_LIBRARY_PATH and the cache. */
	if (!path || path[0] != '/')
		return fail(error, PLUGKIT_EPATH, "%s: a plugin is opened by absolute path only",
			    path ? path : "(null)");
	if (!binding_process_ok(why, sizeof(why)))
		return fail(error, PLUGKIT_EPROVIDER, "%s: not loaded: %s", path, why);
	/* RTLD_NOW: every symbol binds here, so every slot can be read.
	 * Never RTLD_DEEPBIND: it would put libc's malloc first. */
	plugin->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!plugin->handle) {
		dlerr = dlerror();
		if (dlerr && strstr(dlerr, "cannot allocate memory in static TLS block"))
			return static_tls_error(path, dlerr, error);
		return fail(error, PLUGKIT_ELOAD, "%s", dlerr ? dlerr : path);
	}
	plugin->descriptor = dlsym(plugin->handle, descriptor_symbol);
	if (!plugin->descriptor)
		status = fail(error, PLUGKIT_EDESCRIPTOR, "%s: exports no %s descriptor (host ABI %u)",
			      path, descriptor_symbol, (unsigned)abi);
	else if (plugin->descriptor->abi != abi)
		status = fail(error, PLUGKIT_EABI, "%s: plugin ABI %u, host ABI %u: rebuild the plugin "
			      "against this host", path, (unsigned)plugin->descriptor->abi, (unsigned)abi);
	else if (dlinfo(plugin->handle, RTLD_DI_LINKMAP, &map) != 0)
		status = fail(error, PLUGKIT_ELOAD, "%s: %s", path, dlerror());
	else if (!binding_closure_ok(map, why, sizeof(why)))
		status = fail(error, PLUGKIT_EBINDING, "%s: %s", path, why);
	else
		status = private_allocator(path, map, error);
	if (status != PLUGKIT_OK)
		plugkit_close(plugin);
	return status;
}

enum plugkit_status plugkit_verify_process(struct plugkit_error *error)
{
	char why[768];

	memset(error, 0, sizeof(*error));
	if (!binding_process_ok(why, sizeof(why)))
		return fail(error, PLUGKIT_EPROVIDER, "%s", why);
	return PLUGKIT_OK;
}

void plugkit_close(struct plugkit_plugin *plugin)
{
	if (plugin->handle)
		dlclose(plugin->handle);
	memset(plugin, 0, sizeof(*plugin));
}
