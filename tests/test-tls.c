/*
 * test-tls GOOD IE: both plugins carry 64 KiB of TLS.  GOOD was built by the
 * plugin template and must load and give every thread its own block; IE uses
 * the initial-exec model and must fail to load with glibc's static TLS
 * error.  Both are loaded the way the host loads plugins.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define THREADS 4
#define TLS_BYTES 65536

static const char *good_path, *ie_path;
static void (*fill)(unsigned seed);
static unsigned long (*sum)(void);
static pthread_barrier_t barrier;

static unsigned long expected_sum(unsigned seed)
{
	unsigned long total = 0;

	for (size_t i = 0; i < TLS_BYTES; i++)
		total += (unsigned char)(seed + i);
	return total;
}

/* Every thread fills its block, waits for the others, then reads it back:
 * a block shared between threads would hold another thread's pattern. */
static void *tls_worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	fill(seed);
	pthread_barrier_wait(&barrier);
	return (void *)(uintptr_t)(sum() == expected_sum(seed));
}

static void template_plugin_with_64k_tls_loads(void **state)
{
	pthread_t threads[THREADS];
	void *handle = dlopen(good_path, RTLD_NOW | RTLD_LOCAL);

	(void)state;
	if (!handle)
		fail_msg("%s", dlerror());
	*(void **)&fill = dlsym(handle, "tls_fixture_fill");
	*(void **)&sum = dlsym(handle, "tls_fixture_sum");
	assert_non_null(fill);
	assert_non_null(sum);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, THREADS), 0);
	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, tls_worker,
						(void *)(uintptr_t)(i * 53 + 1)), 0);
	for (unsigned i = 0; i < THREADS; i++) {
		void *ok;

		pthread_join(threads[i], &ok);
		assert_true(ok != NULL);
	}
	pthread_barrier_destroy(&barrier);
	dlclose(handle);
}

static void initial_exec_plugin_fails_to_load(void **state)
{
	void *handle = dlopen(ie_path, RTLD_NOW | RTLD_LOCAL);
	const char *err;

	(void)state;
	if (handle) {
		dlclose(handle);
		fail_msg("%s loaded: the initial-exec fixture no longer tests anything", ie_path);
	}
	err = dlerror();
	print_message("dlopen: %s\n", err);
	assert_non_null(strstr(err, "cannot allocate memory in static TLS block"));
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(template_plugin_with_64k_tls_loads),
		cmocka_unit_test(initial_exec_plugin_fails_to_load),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s GOOD-PLUGIN IE-PLUGIN\n", argv[0]);
		return 2;
	}
	good_path = argv[1];
	ie_path = argv[2];
	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
