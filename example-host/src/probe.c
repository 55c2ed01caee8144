/* Runs a plugin's hooks and tells, by the host's counters, which heap served them. */
#include <stdlib.h>
#include <string.h>

#include "examplehost.h"

struct counters {
	uint64_t allocated, freed;
	bool ok;
};

static struct counters read_counters(void)
{
	struct counters c = {0};

	c.ok = examplehost_heap_thread_counters(&c.allocated, &c.freed);
	return c;
}

/*
 * A heap served the probe when its counter moved by at least the bytes asked
 * for; jemalloc counts usable sizes, which are never smaller.
 */
static enum examplehost_heap judge(bool ok, uint64_t delta, uint64_t requested)
{
	if (!ok)
		return EXAMPLEHOST_HEAP_UNMEASURED;
	return delta >= requested ? EXAMPLEHOST_HEAP_HOST : EXAMPLEHOST_HEAP_FOREIGN;
}

/*
 * With counters (jemalloc) both sides are judged by bytes.  Without, an
 * allocator that knows its regions (mimalloc) still says whether the block
 * was its own, taken before the free; the free itself then goes unseen.
 */
static void settle(struct examplehost_probe *p, struct counters before, struct counters mid,
		   struct counters after, int owned)
{
	p->allocated = mid.allocated - before.allocated;
	p->freed = after.freed - mid.freed;
	p->alloc_heap = judge(before.ok, p->allocated, p->requested);
	p->free_heap = judge(before.ok, p->freed, p->requested);
	if (!before.ok && owned >= 0)
		p->alloc_heap = owned ? EXAMPLEHOST_HEAP_HOST : EXAMPLEHOST_HEAP_FOREIGN;
}

/* Plugin allocates, host frees: a block of a known size. */
static void probe_block(const struct examplehost_plugin *pl, struct examplehost_probe *p)
{
	const size_t size = 4000;
	struct counters before = read_counters();
	void *block = pl->alloc_block(size);
	struct counters mid = read_counters();

	int owned = examplehost_heap_owns(block);

	p->name = "plugin malloc, host free";
	p->requested = size;
	p->failed = block == NULL;
	free(block);
	settle(p, before, mid, read_counters(), owned);
}

/* Host allocates, plugin frees. */
static void probe_host_block(const struct examplehost_plugin *pl, struct examplehost_probe *p)
{
	const size_t size = 3000;
	struct counters before = read_counters();
	void *block = malloc(size);
	struct counters mid = read_counters();

	int owned = examplehost_heap_owns(block);

	p->name = "host malloc, plugin free";
	p->requested = size;
	p->failed = block == NULL;
	if (block)
		memset(block, 0xa5, size);
	pl->free_block(block);
	settle(p, before, mid, read_counters(), owned);
}

/* A string allocated inside libc on the plugin's behalf, freed by the host. */
static void probe_string(struct examplehost_probe *p, const char *name, struct counters before,
			 char *s)
{
	struct counters mid = read_counters();
	int owned = examplehost_heap_owns(s);

	p->name = name;
	p->failed = s == NULL;
	p->requested = s ? strlen(s) + 1 : 1;
	free(s);
	settle(p, before, mid, read_counters(), owned);
}

static void probe_threads(const struct examplehost_plugin *pl, struct examplehost_probe *p)
{
	uint64_t host_bytes = 0, requested = 0;
	bool counted = read_counters().ok;
	/* examplehost_heap_owns(NULL) is -1 when the allocator cannot tell. */
	bool owned = examplehost_heap_owns(NULL) >= 0;

	p->name = "threads: malloc/realloc/free";
	p->failed = pl->threads(4, 200, &host_bytes, &requested) != 0;
	p->requested = requested;
	p->allocated = host_bytes;
	p->freed = counted ? host_bytes : 0;
	p->alloc_heap = judge(counted || owned, host_bytes, requested);
	p->free_heap = judge(counted, host_bytes, requested);
}

int examplehost_probe(const struct examplehost_plugin *pl, struct examplehost_probe *probes)
{
	static const char text[] = "a line written by the host\nand a second one\n";
	int bad = 0;
	struct counters before;

	probe_block(pl, &probes[0]);
	probe_host_block(pl, &probes[1]);
	before = read_counters();
	probe_string(&probes[2], "libc strdup, host free", before, pl->libc_strdup(text));
	before = read_counters();
	probe_string(&probes[3], "libc asprintf, host free", before, pl->libc_asprintf(4242));
	before = read_counters();
	probe_string(&probes[4], "libc getline, host free", before, pl->libc_getline(text));
	probe_threads(pl, &probes[5]);

	for (int i = 0; i < EXAMPLEHOST_PROBES; i++)
		if (probes[i].failed || probes[i].alloc_heap == EXAMPLEHOST_HEAP_FOREIGN ||
		    probes[i].free_heap == EXAMPLEHOST_HEAP_FOREIGN)
			bad++;
	return bad;
}

const char *examplehost_heap_name(enum examplehost_heap heap)
{
	switch (heap) {
	case EXAMPLEHOST_HEAP_HOST: return "host heap";
	case EXAMPLEHOST_HEAP_FOREIGN: return "NOT the host heap";
	case EXAMPLEHOST_HEAP_UNMEASURED: break;
	}
	return "unmeasured";
}
