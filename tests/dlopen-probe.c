/*
 * dlopen-probe [--maps] PLUGIN: loads PLUGIN the way the host does
 * (absolute path, RTLD_NOW | RTLD_LOCAL) in a process that has the host at
 * start-up.  Prints "loaded" or dlerror() (exit 1).  With --maps, then
 * prints the permissions of the main thread's stack and every mapping of
 * PLUGIN that is writable and executable at once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examplehost.h"

static void print_maps(const char *plugin)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[4608];

	if (!maps)
		return;
	while (fgets(line, sizeof(line), maps)) {
		char perms[8] = "", path[4096] = "";

		if (sscanf(line, "%*s %7s %*s %*s %*s %4095s", perms, path) < 1)
			continue;
		if (strcmp(path, "[stack]") == 0)
			printf("stack %s\n", perms);
		else if (strcmp(path, plugin) == 0 && strchr(perms, 'w') && strchr(perms, 'x'))
			printf("writable and executable mapping %s of %s\n", perms, path);
	}
	fclose(maps);
}

int main(int argc, char **argv)
{
	int maps = argc == 3 && strcmp(argv[1], "--maps") == 0;
	char path[PATH_MAX];

	if (argc != 2 + maps) {
		fprintf(stderr, "usage: %s [--maps] PLUGIN\n", argv[0]);
		return 2;
	}
	if (!realpath(argv[1 + maps], path)) {
		perror(argv[1 + maps]);
		return 2;
	}
	/* The host library is a DT_NEEDED of this program, as it is of the
	 * shim; naming it keeps --as-needed from dropping it. */
	printf("host allocator: %s\n", examplehost_allocator());
	if (!dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
		printf("%s\n", dlerror());
		return 1;
	}
	printf("loaded\n");
	if (maps)
		print_maps(path);
	return 0;
}
