/*
 * The example plugin: moves memory across the host boundary in every
 * direction a real plugin does, so the host can show where it landed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examplehost.h"

static void *alloc_block(size_t size)
{
	void *block = malloc(size);

	if (block)
		memset(block, 0x5a, size);
	return block;
}

static void free_block(void *block)
{
	free(block);
}

static char *libc_strdup(const char *text)
{
	return strdup(text);
}

static char *libc_asprintf(unsigned value)
{
	char *s;

	return asprintf(&s, "value %u from the example plugin", value) < 0 ? NULL : s;
}

static char *libc_getline(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = NULL;
	}
	fclose(f);
	return line;
}

/*
 * Per-thread bookkeeping in TLS: what this thread asked for.  The template
 * builds it with TLS descriptors, so it costs no static TLS at dlopen.
 */
static _Thread_local struct {
	uint64_t requested;
	unsigned blocks;
} tls_state;

struct worker {
	pthread_t thread;
	unsigned rounds;
	uint64_t host_bytes, requested;
	int status;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t a0, f0, a1, f1, owned = 0;
	bool counted = examplehost_heap_thread_counters(&a0, &f0);

	for (unsigned i = 0; i < w->rounds; i++) {
		size_t size = 16 + (i * 37) % 2000;
		char *p = malloc(size);
		char *q;

		if (!p) {
			w->status = -1;
			return NULL;
		}
		memset(p, (int)i, size);
		if (examplehost_heap_owns(p) == 1)
			owned += size;
		q = realloc(p, size * 2);
		if (!q) {
			free(p);
			w->status = -1;
			return NULL;
		}
		tls_state.requested += size + size * 2;
		tls_state.blocks++;
		/* Without counters, the blocks the host's allocator claims. */
		if (examplehost_heap_owns(q) == 1)
			owned += size * 2;
		free(q);
	}
	if (counted && examplehost_heap_thread_counters(&a1, &f1))
		w->host_bytes = a1 - a0;
	else
		w->host_bytes = owned;
	w->requested = tls_state.requested;
	/* Each thread starts with zeroed TLS: a shared block would count more. */
	w->status = tls_state.blocks == w->rounds ? 0 : -1;
	return NULL;
}

static int threads(unsigned nthreads, unsigned rounds, uint64_t *host_bytes, uint64_t *requested)
{
	struct worker workers[16];
	int status = 0;
	unsigned started = 0;

	if (nthreads > sizeof(workers) / sizeof(workers[0]))
		return -1;
	*host_bytes = *requested = 0;
	for (; started < nthreads; started++) {
		workers[started] = (struct worker){.rounds = rounds};
		if (pthread_create(&workers[started].thread, NULL, work, &workers[started]) != 0) {
			status = -1;
			break;
		}
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		status |= workers[i].status;
		*host_bytes += workers[i].host_bytes;
		*requested += workers[i].requested;
	}
	return status;
}

EXAMPLEHOST_API const struct examplehost_plugin examplehost_plugin = {
	.abi = EXAMPLEHOST_PLUGIN_ABI,
	.name = "example",
	.alloc_block = alloc_block,
	.free_block = free_block,
	.libc_strdup = libc_strdup,
	.libc_asprintf = libc_asprintf,
	.libc_getline = libc_getline,
	.threads = threads,
};
