/* plugkit_open: judge, load, hand-shake, verify; refuse with a reason. */
#include "plugkit.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "elfread.h"
#include "judge.h"
#include "refuse.h"
#include "rules.h"

/*
 * One lock for every plugkit_open and plugkit_close, held across their
 * dlopen and dlclose: the judgement's shared state (the file summaries,
 * the copy of ld.so.cache) is kept under it, and it orders one thread's
 * reading of a link map after the dlopen that made it and before the
 * dlclose that frees it.  ld.so's own lock orders them too, but nothing
 * outside ld.so can see that lock (ThreadSanitizer cannot), so the
 * reading is ordered by a lock of our own.  What is loaded is read through
 * dl_iterate_phdr, under ld.so's lock; after dlopen only objects this call
 * holds references to are read.  Recursive: a plugin's constructor may
 * itself open a plugin.
 */
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/*
 * dlopen's "X: cannot allocate memory in static TLS block" names X (the
 * judgement before dlopen counts only what it can see: other late objects
 * may have spent the surplus already); say how much initial-exec TLS it
 * carries and what to do about it.
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
	return plugkit_refuse(error, PLUGKIT_ESTATIC_TLS, RULE_STATIC_TLS,
			      "%s: %s uses %llu bytes of thread-local storage in the initial-exec "
			      "model, and the static TLS left is less",
			      path, object[0] ? object : "an object it loads", bytes);
}

/*
 * The link maps of what the plugin's dlopen brought in: the plugin, then
 * each new dependency, found by the name it was loaded under (RTLD_NOLOAD
 * takes a reference under ld.so's lock, so it cannot go away while it is
 * read).  The extra references are dropped by release().
 */
static bool closure_maps(void *handle, const struct closure *c, struct link_map **maps, void **refs,
			 size_t *n)
{
	*n = 0;
	if (dlinfo(handle, RTLD_DI_LINKMAP, &maps[0]) != 0)
		return false;
	*n = 1;
	for (size_t i = 0; i < c->n; i++) {
		refs[i] = dlopen(c->names[i], RTLD_NOW | RTLD_NOLOAD);
		if (!refs[i] || dlinfo(refs[i], RTLD_DI_LINKMAP, &maps[*n]) != 0)
			return false;
		(*n)++;
	}
	return true;
}

static void release(void **refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i])
			dlclose(refs[i]);
}

static enum plugkit_status verify_loaded(const char *path, const char *descriptor_symbol,
					 uint32_t abi, const struct closure *c,
					 struct plugkit_plugin *plugin, struct plugkit_error *error)
{
	/* Most plugins bring in nothing but themselves. */
	struct link_map *local_maps[8];
	void *local_refs[8] = {0};
	struct link_map **maps = c->n < 8 ? local_maps : calloc(c->n + 1, sizeof(*maps));
	void **refs = c->n < 8 ? local_refs : calloc(c->n + 1, sizeof(*refs));
	enum plugkit_status status = PLUGKIT_OK;
	char why[768];
	size_t n;

	plugin->descriptor = dlsym(plugin->handle, descriptor_symbol);
	if (!maps || !refs)
		status = plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", path);
	else if (!plugin->descriptor)
		status = plugkit_fail(error, PLUGKIT_EDESCRIPTOR,
				      "%s: exports no %s descriptor (host ABI %u)", path,
				      descriptor_symbol, (unsigned)abi);
	else if (plugin->descriptor->abi != abi)
		status = plugkit_fail(error, PLUGKIT_EABI,
				      "%s: plugin ABI %u, host ABI %u: rebuild the plugin against "
				      "this host",
				      path, (unsigned)plugin->descriptor->abi, (unsigned)abi);
	else if (!closure_maps(plugin->handle, c, maps, refs, &n))
		status = plugkit_fail(error, PLUGKIT_ELOAD, "%s: %s", path, dlerror());
	else if (!binding_closure_ok(maps, n, why, sizeof(why)))
		status = plugkit_refuse(error, PLUGKIT_EBINDING, RULE_ALLOCATOR_BINDING, "%s: %s",
					path, why);
	if (refs)
		release(refs, c->n);
	if (maps != local_maps)
		free(maps);
	if (refs != local_refs)
		free(refs);
	return status;
}

static enum plugkit_status judge_and_open(const char *path, const char *descriptor_symbol,
					  uint32_t abi, struct plugkit_plugin *plugin,
					  struct plugkit_error *error)
{
	struct closure c;
	enum plugkit_status status;
	const char *dlerr;

	status = judge_before_dlopen(path, &c, error);
	if (status != PLUGKIT_OK)
		return status;
	/* RTLD_NOW: every symbol binds here, so every slot can be read.
	 * Never RTLD_DEEPBIND: it would put libc's malloc first. */
	plugin->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!plugin->handle) {
		dlerr = dlerror();
		closure_free(&c);
		if (dlerr && strstr(dlerr, "cannot allocate memory in static TLS block"))
			return static_tls_error(path, dlerr, error);
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s", dlerr ? dlerr : path);
	}
	status = verify_loaded(path, descriptor_symbol, abi, &c, plugin, error);
	closure_free(&c);
	if (status != PLUGKIT_OK) {
		dlclose(plugin->handle);
		memset(plugin, 0, sizeof(*plugin));
	}
	return status;
}

enum plugkit_status plugkit_open(const char *path, const char *descriptor_symbol, uint32_t abi,
				 struct plugkit_plugin *plugin, struct plugkit_error *error)
{
	char why[768];
	enum plugkit_status status;
	int rule;

	memset(plugin, 0, sizeof(*plugin));
	/* An empty message, not 1 KiB of zeros on every call. */
	error->status = PLUGKIT_OK;
	error->message[0] = '\0';
	/* A bare name would search LD_LIBRARY_PATH and the cache. */
	if (!path || path[0] != '/')
		return plugkit_fail(error, PLUGKIT_EPATH,
				    "%s: a plugin is opened by absolute path only",
				    path ? path : "(null)");
	if (!binding_process_ok(why, sizeof(why), &rule))
		return rule < 0 ? plugkit_fail(error, PLUGKIT_EPROVIDER, "%s: not loaded: %s", path,
					       why)
				: plugkit_refuse(error, PLUGKIT_EPROVIDER, (enum rule_id)rule,
						 "%s: not loaded: %s", path, why);
	pthread_mutex_lock(&lock);
	status = judge_and_open(path, descriptor_symbol, abi, plugin, error);
	pthread_mutex_unlock(&lock);
	return status;
}

enum plugkit_status plugkit_verify_process(struct plugkit_error *error)
{
	char why[768];
	int rule;

	memset(error, 0, sizeof(*error));
	if (!binding_process_ok(why, sizeof(why), &rule))
		return rule < 0 ? plugkit_fail(error, PLUGKIT_EPROVIDER, "%s", why)
				: plugkit_refuse(error, PLUGKIT_EPROVIDER, (enum rule_id)rule, "%s",
						 why);
	return PLUGKIT_OK;
}

void plugkit_close(struct plugkit_plugin *plugin)
{
	pthread_mutex_lock(&lock);
	if (plugin->handle)
		dlclose(plugin->handle);
	pthread_mutex_unlock(&lock);
	memset(plugin, 0, sizeof(*plugin));
}
