/*
 * tls-bench count PLUGIN N: dlopens PLUGIN (a build of tls-access.c) and
 * calls its one-access function N times; callgrind's counts at two values
 * of N give the instructions per access.
 * tls-bench stress PLUGIN ROUNDS: ROUNDS times, 8 threads each fill their
 * 64 KiB block, meet, and sum it back (the BZ #31372 corruption test of
 * tests/fixtures/static-tls/test-tls.c); exit 1 on any wrong sum.
 * The host's own 64 KiB block is here, for the HOST_BLOCK build.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS_BYTES 65536
#define THREADS 8

__attribute__((visibility("default"))) _Thread_local unsigned char bench_host_block[TLS_BYTES];

static void (*fill)(unsigned);
static unsigned long (*sum)(void);
static pthread_barrier_t barrier;

static unsigned long expected(unsigned seed)
{
	unsigned long total = 0;

	for (size_t i = 0; i < TLS_BYTES; i++)
		total += (unsigned char)(seed + i);
	return total;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	/* malloc between accesses: the allocator runs while descriptors
	 * resolve, as in a real plugin. */
	void *p = malloc(1000 + seed);

	fill(seed);
	pthread_barrier_wait(&barrier);
	free(p);
	return (void *)(uintptr_t)(sum() == expected(seed));
}

int main(int argc, char **argv)
{
	void *h;
	long n;

	if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: %s count|stress PLUGIN N\n", argv[0]);
		return 2;
	}
	h = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	if (strcmp(argv[1], "count") == 0) {
		unsigned (*bump)(void) = (unsigned (*)(void))dlsym(h, "tls_bump");
		unsigned x = 0;

		for (long i = 0; i < n; i++)
			x += bump();
		return (int)(x & 0) + (bench_host_block[0] != 0);
	}
	*(void **)&fill = dlsym(h, "tls_fill");
	*(void **)&sum = dlsym(h, "tls_sum");
	for (long round = 0; round < n; round++) {
		pthread_t t[THREADS];
		int bad = 0;

		pthread_barrier_init(&barrier, NULL, THREADS);
		for (unsigned i = 0; i < THREADS; i++)
			pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i * 7 + round));
		for (unsigned i = 0; i < THREADS; i++) {
			void *ok;

			pthread_join(t[i], &ok);
			bad |= !ok;
		}
		pthread_barrier_destroy(&barrier);
		if (bad) {
			printf("round %ld: a thread read a wrong sum\n", round);
			return 1;
		}
	}
	return 0;
}
