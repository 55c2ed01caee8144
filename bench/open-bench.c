/*
 * open-bench MODE N PLUGIN: N cycles of loading and unloading PLUGIN, in a
 * process with the example host (and its allocator) at start-up.
 *   dlopen   dlopen(RTLD_NOW | RTLD_LOCAL) + dlsym of the descriptor + dlclose
 *   plugkit  plugkit_open + plugkit_close (the same, plus every check)
 * Prints nanoseconds per cycle; run under callgrind for instruction counts.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plugkit.h>

#include "examplehost.h"

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	long n;

	if (argc != 4 || (n = strtol(argv[2], NULL, 10)) <= 0 ||
	    (strcmp(argv[1], "dlopen") != 0 && strcmp(argv[1], "plugkit") != 0)) {
		fprintf(stderr, "usage: %s dlopen|plugkit N PLUGIN\n", argv[0]);
		return 2;
	}
	/* A call into the host keeps it a start-up DT_NEEDED, as in the shim. */
	fprintf(stderr, "allocator: %s\n", examplehost_allocator());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (argv[1][0] == 'd') {
			void *h = dlopen(argv[3], RTLD_NOW | RTLD_LOCAL);

			if (!h || !dlsym(h, EXAMPLEHOST_PLUGIN_SYMBOL)) {
				fprintf(stderr, "%s\n", dlerror());
				return 1;
			}
			dlclose(h);
		} else {
			struct plugkit_plugin p;
			struct plugkit_error e;

			if (plugkit_open(argv[3], EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI, &p, &e) !=
			    PLUGKIT_OK) {
				fprintf(stderr, "%s\n", e.message);
				return 1;
			}
			plugkit_close(&p);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %.0f ns per cycle\n", argv[1],
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n);
	return 0;
}
