/*
 * test-plugin MODE PLUGIN [--unchecked]: loads the plugin into a process
 * whose malloc is the host's allocator, and runs every hook that moves
 * memory across the boundary.
 *
 *   heap      each allocation and free must show up in the host allocator's
 *             own bookkeeping: jemalloc's thread.allocated/deallocated
 *             counters, or mimalloc's mi_is_in_heap_region for each block
 *             (frees unseen); skips when the allocator can tell nothing
 *             (allocator=system, valgrind).
 *   boundary  every cross-boundary free must run clean; judged by the exit
 *             status and, under the valgrind setup, by memcheck.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "examplehost.h"


static char plugin_path[PATH_MAX];
static bool counters;
static unsigned load_flags;
static struct examplehost_module module;
static struct examplehost_probe probes[EXAMPLEHOST_PROBES];

static int load_and_probe(void **state)
{
	char err[4096];

	(void)state;
	if (examplehost_load(plugin_path, load_flags, &module, err, sizeof(err)) != 0) {
		fprintf(stderr, "cannot load %s\n", err);
		return -1;
	}
	examplehost_probe(module.plugin, probes);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	examplehost_unload(&module);
	return 0;
}

static void assert_probe_on_host_heap(int i)
{
	const struct examplehost_probe *p = &probes[i];

	print_message("%s: %llu B asked, +%llu allocated, +%llu freed\n", p->name,
		      (unsigned long long)p->requested, (unsigned long long)p->allocated,
		      (unsigned long long)p->freed);
	assert_false(p->failed);
	assert_true(p->requested > 0);
	assert_int_equal(p->alloc_heap, EXAMPLEHOST_HEAP_HOST);
	/* An allocator without counters (mimalloc) leaves frees unseen. */
	assert_int_equal(p->free_heap,
			 counters ? EXAMPLEHOST_HEAP_HOST : EXAMPLEHOST_HEAP_UNMEASURED);
}

static void heap_plugin_malloc(void **state)
{
	(void)state;
	assert_probe_on_host_heap(0);
}
static void heap_plugin_free(void **state)
{
	(void)state;
	assert_probe_on_host_heap(1);
}
static void heap_libc_strdup(void **state)
{
	(void)state;
	assert_probe_on_host_heap(2);
}
static void heap_libc_asprintf(void **state)
{
	(void)state;
	assert_probe_on_host_heap(3);
}
static void heap_libc_getline(void **state)
{
	(void)state;
	assert_probe_on_host_heap(4);
}
static void heap_threads(void **state)
{
	(void)state;
	assert_probe_on_host_heap(5);
}

/*
 * The control: glibc's own allocator, reached behind interposition, must NOT move the host's counters nor be claimed by its
 * heap.  Without this the heap tests above could pass for any reason.
 */
static void heap_glibc_is_seen_as_foreign(void **state)
{
	uint64_t a0 = 0, f0 = 0, a1 = 0, f1 = 0;
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *(*glibc_malloc)(size_t);
	void (*glibc_free)(void *);
	void *block;

	(void)state;
	/* libc's own malloc, found in libc's scope rather than the global
	 * one (mimalloc even takes over __libc_malloc). */
	assert_non_null(libc);
	*(void **)&glibc_malloc = dlsym(libc, "malloc");
	*(void **)&glibc_free = dlsym(libc, "free");
	assert_non_null(glibc_malloc);
	assert_non_null(glibc_free);
	if (counters)
		assert_true(examplehost_heap_thread_counters(&a0, &f0));
	block = glibc_malloc(100000);
	assert_non_null(block);
	memset(block, 1, 100000);
	if (!counters)
		assert_int_equal(examplehost_heap_owns(block), 0);
	glibc_free(block);
	if (counters) {
		assert_true(examplehost_heap_thread_counters(&a1, &f1));
		assert_true(a1 - a0 < 100000);
		assert_true(f1 - f0 < 100000);
	}
}

static void boundary_probes_ran(void **state)
{
	(void)state;
	for (int i = 0; i < EXAMPLEHOST_PROBES; i++) {
		print_message("%s: %s\n", probes[i].name, probes[i].failed ? "failed" : "ok");
		assert_false(probes[i].failed);
	}
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest heap_tests[] = {
		cmocka_unit_test(heap_plugin_malloc),
		cmocka_unit_test(heap_plugin_free),
		cmocka_unit_test(heap_libc_strdup),
		cmocka_unit_test(heap_libc_asprintf),
		cmocka_unit_test(heap_libc_getline),
		cmocka_unit_test(heap_threads),
		cmocka_unit_test(heap_glibc_is_seen_as_foreign),
	};
	static const struct CMUnitTest boundary_tests[] = {
		cmocka_unit_test(boundary_probes_ran),
	};
	uint64_t a, f;

	if (argc < 3 || argc > 4 ||
	    (strcmp(argv[1], "heap") != 0 && strcmp(argv[1], "boundary") != 0) ||
	    (argc == 4 && strcmp(argv[3], "--unchecked") != 0)) {
		fprintf(stderr, "usage: %s heap|boundary PLUGIN [--unchecked]\n", argv[0]);
		return 2;
	}
	/* --unchecked: plain dlopen, to show what libplugkit's checks prevent. */
	if (argc == 4)
		load_flags = EXAMPLEHOST_LOAD_UNCHECKED;
	/* Meson passes build targets relative to the build directory; the
	 * loader takes absolute paths only, as the host does. */
	if (!realpath(argv[2], plugin_path)) {
		perror(argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "boundary") == 0)
		return cmocka_run_group_tests_name("boundary", boundary_tests, load_and_probe,
						   unload);
	counters = examplehost_heap_thread_counters(&a, &f);
	if (!counters && examplehost_heap_owns(NULL) < 0) {
		/* Meson reads 77 as "skipped": nothing was proven either way. */
		printf("SKIP: the allocator (%s) can say nothing of its heap\n",
		       examplehost_allocator());
		return 77;
	}
	return cmocka_run_group_tests_name("heap", heap_tests, load_and_probe, unload);
}
