/*
 * tls-stress PLUGIN ROUNDS: the corruption test.  Loads PLUGIN (a build of
 * tls-stress-plugin.c) as a host loads a plugin, then ROUNDS times starts 8
 * threads that each fill their 64 KiB with their own pattern, wait for the
 * others, and sum it back; each allocates before its first access and
 * frees after, so the allocator runs where a TLS descriptor's slow path
 * may run (glibc BZ #31372: before 2.40 it saves no vector register).
 * Exit status 0 when every sum came back right, 1 on a wrong sum.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tls-bench.h"

#define THREADS 8
#define BYTES 65536

static void (*fill)(unsigned);
static unsigned long (*sum)(void);
static pthread_barrier_t barrier;

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	unsigned long want = 0;
	void *p = malloc(1000 + seed);

	for (size_t i = 0; i < BYTES; i++)
		want += (unsigned char)(seed + i);
	fill(seed);
	pthread_barrier_wait(&barrier);
	free(p);
	return (void *)(uintptr_t)(sum() == want);
}

int main(int argc, char **argv)
{
	void *h;
	int (*init)(void);
	long rounds;

	if (argc != 3 || (rounds = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: %s PLUGIN ROUNDS\n", argv[0]);
		return 2;
	}
	/* The host's own use of its block: start-up loads the host. */
	tls_bench_thread[0] = 1;
	if (!(h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL))) {
		fprintf(stderr, "tls-stress: %s\n", dlerror());
		return 2;
	}
	*(void **)&init = dlsym(h, "tls_stress_init");
	*(void **)&fill = dlsym(h, "tls_stress_fill");
	*(void **)&sum = dlsym(h, "tls_stress_sum");
	if (!init || !fill || !sum || init() != 0) {
		fprintf(stderr, "tls-stress: %s: not a stress plugin, or no slot left\n", argv[1]);
		return 2;
	}
	for (long round = 0; round < rounds; round++) {
		pthread_t t[THREADS];
		int bad = 0;

		pthread_barrier_init(&barrier, NULL, THREADS);
		for (unsigned i = 0; i < THREADS; i++)
			if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i * 7 + round)))
				return 2;
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
