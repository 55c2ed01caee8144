/*
 * dlopen-probe [--stack] PLUGIN: loads PLUGIN the way the host does
 * (absolute path, RTLD_NOW | RTLD_LOCAL) in a process that has the host at
 * start-up.  Prints "loaded" or dlerror() (exit 1).  With --stack, also
 * prints the permissions of the main thread's stack mapping afterwards.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examplehost.h"

static void print_stack_permissions(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];

	if (!maps)
		return;
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, "[stack]")) {
			char perms[8] = "";

			sscanf(line, "%*s %7s", perms);
			printf("stack %s\n", perms);
		}
	fclose(maps);
}

int main(int argc, char **argv)
{
	int stack = argc == 3 && strcmp(argv[1], "--stack") == 0;
	char path[PATH_MAX];

	if (argc != 2 + stack) {
		fprintf(stderr, "usage: %s [--stack] PLUGIN\n", argv[0]);
		return 2;
	}
	if (!realpath(argv[1 + stack], path)) {
		perror(argv[1 + stack]);
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
	if (stack)
		print_stack_permissions();
	return 0;
}
