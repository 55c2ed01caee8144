/*
 * LD_PRELOADed into a plugin ecosystem's real host executable: before the
 * host's main() runs, its constructor dlopens FIELD_SPENDERS (objects with
 * initial-exec TLS, to use up glibc's spare static TLS first, as plugins
 * loaded earlier in a long-running process would), then each of
 * FIELD_PLUGINS in order with FIELD_FLAGS (now|lazy,local|global: how the
 * host opens its plugins), writes "loaded PATH" or "failed PATH: dlerror()"
 * per plugin to stdout and ends the process.  The process image is the
 * host's own: its start-up closure, global scope and static TLS, exactly.
 * Lists are ':'-separated.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void each(char *list, void (*fn)(const char *, int), int flags)
{
	char *save = NULL;

	for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save))
		fn(p, flags);
}

static void spend(const char *path, int flags)
{
	(void)flags;
	dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void load(const char *path, int flags)
{
	if (dlopen(path, flags))
		printf("loaded %s\n", path);
	else
		printf("failed %s: %s\n", path, dlerror());
}

__attribute__((constructor)) static void field_load(void)
{
	const char *flags_env = getenv("FIELD_FLAGS");
	char *spenders = getenv("FIELD_SPENDERS"), *plugins = getenv("FIELD_PLUGINS");
	int flags = 0;

	if (!plugins)
		return;
	flags |= flags_env && strstr(flags_env, "lazy") ? RTLD_LAZY : RTLD_NOW;
	flags |= flags_env && strstr(flags_env, "global") ? RTLD_GLOBAL : RTLD_LOCAL;
	if (spenders)
		each(spenders, spend, 0);
	each(plugins, load, flags);
	fflush(stdout);
	_exit(0);
}
