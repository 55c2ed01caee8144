/*
 * tls-bench PLUGIN one|four|cached|host-one|host-four|slot-one|slot-four N
 *
 * Loads PLUGIN (one build of tls-bench-plugin.c) as a host loads a plugin,
 * touches its TLS once (the first touch may take the slow path; steady
 * state is what is measured), then makes N calls in tls_bench_run.  Run
 * under callgrind with --toggle-collect=tls_bench_run (bench/tls.sh): its
 * instructions over N are the cost of one call, access included.  Exits 1
 * when the plugin's counter does not come out as N + 1.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls-bench.h"

typedef void plugin_fn(void);
typedef void cached_fn(unsigned long *);

/* Not inlined: callgrind collects exactly this function and its callees. */
__attribute__((noinline)) static void tls_bench_run(plugin_fn *fn, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		fn();
}

__attribute__((noinline)) static void tls_bench_run_cached(cached_fn *fn, unsigned long *slot,
							   unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		fn(slot);
}

static void *symbol(void *handle, const char *name)
{
	void *sym = dlsym(handle, name);

	if (!sym) {
		fprintf(stderr, "tls-bench: %s\n", dlerror());
		exit(2);
	}
	return sym;
}

int main(int argc, char **argv)
{
	void *handle;
	unsigned long n, *counter;
	const char *what;

	if (argc != 4) {
		fprintf(stderr,
			"usage: %s PLUGIN one|four|cached|host-one|host-four|slot-one|slot-four N\n",
			argv[0]);
		return 2;
	}
	handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		fprintf(stderr, "tls-bench: %s\n", dlerror());
		return 2;
	}
	what = argv[2];
	n = strtoul(argv[3], NULL, 10);
	counter = ((unsigned long *(*)(void))symbol(handle, "tls_bench_addr"))();
	if (!strcmp(what, "cached")) {
		cached_fn *fn = (cached_fn *)symbol(handle, "tls_bench_cached");

		fn(counter);
		tls_bench_run_cached(fn, counter, n);
	} else {
		static const char *const names[][2] = {
			{"one", "tls_bench_one"},           {"four", "tls_bench_four"},
			{"host-one", "tls_bench_host_one"}, {"host-four", "tls_bench_host_four"},
			{"slot-one", "tls_bench_slot_one"}, {"slot-four", "tls_bench_slot_four"},
		};
		plugin_fn *fn = NULL;

		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (!strcmp(what, names[i][0]))
				fn = (plugin_fn *)symbol(handle, names[i][1]);
		if (!fn) {
			fprintf(stderr, "tls-bench: unknown access %s\n", what);
			return 2;
		}
		/* The slot the host hands out: its first field is the counter. */
		if (!strncmp(what, "slot-", 5) &&
		    !(counter = ((unsigned long *(*)(void))symbol(handle,
								  "tls_bench_slot_init"))())) {
			fprintf(stderr, "tls-bench: the host's block is full\n");
			return 2;
		}
		fn();
		tls_bench_run(fn, n);
		if (!strncmp(what, "host-", 5))
			counter = &tls_bench_host_block()->a;
	}
	if (*counter != n + 1) {
		fprintf(stderr, "tls-bench: %s counted %lu, not %lu\n", what, *counter, n + 1);
		return 1;
	}
	printf("%s %s %lu\n", argv[1], what, n);
	return 0;
}
