/* Loads one plugin: through libplugkit, or (unchecked) with plain dlopen. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plugkit.h>

#include "examplehost.h"

/* The unchecked way, for demonstrations: the same flags, no verification. */
static int open_unchecked(const char *path, struct plugkit_plugin *p, char *err, size_t errlen)
{
	if (path[0] != '/') {
		snprintf(err, errlen, "%s: plugin path is not absolute", path);
		return -1;
	}
	p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!p->handle) {
		snprintf(err, errlen, "%s", dlerror());
		return -1;
	}
	p->descriptor = dlsym(p->handle, EXAMPLEHOST_PLUGIN_SYMBOL);
	if (!p->descriptor || p->descriptor->abi != EXAMPLEHOST_PLUGIN_ABI) {
		snprintf(err, errlen, "%s: no %s descriptor of ABI %u", path,
			 EXAMPLEHOST_PLUGIN_SYMBOL, (unsigned)EXAMPLEHOST_PLUGIN_ABI);
		dlclose(p->handle);
		return -1;
	}
	return 0;
}

int examplehost_load(const char *path, unsigned flags, struct examplehost_module *module, char *err,
		     size_t errlen)
{
	const struct examplehost_plugin *plugin;
	struct plugkit_plugin p = {0};
	struct plugkit_error perr;

	memset(module, 0, sizeof(*module));
	if (flags & EXAMPLEHOST_LOAD_UNCHECKED) {
		if (open_unchecked(path, &p, err, errlen) != 0)
			return -1;
	} else if (plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI, &p,
				&perr) != PLUGKIT_OK) {
		snprintf(err, errlen, "%s", perr.message);
		return -1;
	}
	/* The descriptor starts with plugkit's abi and name; the rest is ours. */
	plugin = (const struct examplehost_plugin *)p.descriptor;
	if (!plugin->name || !plugin->alloc_block || !plugin->free_block || !plugin->libc_strdup ||
	    !plugin->libc_asprintf || !plugin->libc_getline || !plugin->threads) {
		snprintf(err, errlen, "%s: descriptor %s has an empty entry", path,
			 EXAMPLEHOST_PLUGIN_SYMBOL);
		plugkit_close(&p);
		return -1;
	}
	module->path = strdup(path);
	if (!module->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		plugkit_close(&p);
		return -1;
	}
	module->handle = p.handle;
	module->plugin = plugin;
	return 0;
}

void examplehost_unload(struct examplehost_module *module)
{
	if (module->handle)
		dlclose(module->handle);
	free(module->path);
	memset(module, 0, sizeof(*module));
}
