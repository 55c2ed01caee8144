/* Loads one plugin: absolute path, RTLD_NOW | RTLD_LOCAL, descriptor check. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examplehost.h"

int examplehost_load(const char *path, struct examplehost_module *module,
		     char *err, size_t errlen)
{
	const struct examplehost_plugin *plugin;
	void *handle;

	memset(module, 0, sizeof(*module));
	/* A name without a slash makes dlopen search LD_LIBRARY_PATH and the
	 * cache; a relative one depends on the working directory. */
	if (path[0] != '/') {
		snprintf(err, errlen, "%s: plugin path is not absolute", path);
		return -1;
	}
	/*
	 * RTLD_NOW: a missing symbol fails here, not mid-run.  RTLD_LOCAL: one
	 * plugin's symbols never satisfy another's.  Never RTLD_DEEPBIND: it
	 * puts the plugin's own dependencies, libc among them, ahead of the
	 * host in its lookups, and malloc would bind to glibc.
	 */
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(err, errlen, "%s", dlerror());
		return -1;
	}
	plugin = dlsym(handle, EXAMPLEHOST_PLUGIN_SYMBOL);
	if (!plugin) {
		snprintf(err, errlen, "%s: exports no %s descriptor", path,
			 EXAMPLEHOST_PLUGIN_SYMBOL);
		dlclose(handle);
		return -1;
	}
	if (plugin->abi != EXAMPLEHOST_PLUGIN_ABI) {
		snprintf(err, errlen, "%s: plugin ABI %u, host ABI %u", path,
			 (unsigned)plugin->abi, (unsigned)EXAMPLEHOST_PLUGIN_ABI);
		dlclose(handle);
		return -1;
	}
	if (!plugin->name || !plugin->alloc_block || !plugin->free_block ||
	    !plugin->libc_strdup || !plugin->libc_asprintf || !plugin->libc_getline ||
	    !plugin->threads) {
		snprintf(err, errlen, "%s: descriptor %s has an empty entry", path,
			 EXAMPLEHOST_PLUGIN_SYMBOL);
		dlclose(handle);
		return -1;
	}
	module->path = strdup(path);
	if (!module->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		dlclose(handle);
		return -1;
	}
	module->handle = handle;
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
