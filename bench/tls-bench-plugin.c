/*
 * One plugin, built once per TLS model (bench/meson.build).  Every function
 * is called by the driver through a pointer, as a host calls a plugin, so
 * the compiler cannot carry a TLS address from one call to the next: each
 * call pays its model's whole access sequence.
 */
#include "tls-bench.h"

#define EXPORT __attribute__((visibility("default"), noinline))

static _Thread_local unsigned long a, b, c, d;

#ifdef TLS_BENCH_PAD
/* Too big for the optional static TLS glibc lends descriptors
 * (glibc.rtld.optional_static_tls, 512 bytes): the descriptor stays on
 * _dl_tlsdesc_dynamic instead of becoming _dl_tlsdesc_return. */
static _Thread_local char pad[TLS_BENCH_PAD];

/* Read and written, or the compiler drops it. */
EXPORT char tls_bench_pad(unsigned i)
{
	return ++pad[i % TLS_BENCH_PAD];
}
#endif

/* One access per call. */
EXPORT void tls_bench_one(void)
{
	a++;
}

/* Four variables per call: local-dynamic finds the module's block once. */
EXPORT void tls_bench_four(void)
{
	a++;
	b++;
	c++;
	d++;
}

/* The cached-address pattern: the caller took &a once (tls_bench_addr)
 * outside its hot loop and hands it in. */
EXPORT unsigned long *tls_bench_addr(void)
{
	return &a;
}

EXPORT void tls_bench_cached(unsigned long *slot)
{
	(*slot)++;
}

/* The host's initial-exec block, asked for on every access. */
EXPORT void tls_bench_host_one(void)
{
	tls_bench_host_block()->a++;
}

EXPORT void tls_bench_host_four(void)
{
	struct tls_bench_block *blk = tls_bench_host_block();

	blk->a++;
	blk->b++;
	blk->c++;
	blk->d++;
}

/* A slot of the host's block, reached in the initial-exec model: the
 * pattern docs/tls.md recommends for hot state before glibc 2.40. */
static long slot = -1;

EXPORT unsigned long *tls_bench_slot_init(void)
{
	if (slot < 0)
		slot = tls_bench_thread_slot(sizeof(struct tls_bench_block));
	return slot < 0 ? NULL : &TLS_BENCH_SLOT(slot, struct tls_bench_block, a);
}

EXPORT void tls_bench_slot_one(void)
{
	TLS_BENCH_SLOT(slot, struct tls_bench_block, a)++;
}

EXPORT void tls_bench_slot_four(void)
{
	TLS_BENCH_SLOT(slot, struct tls_bench_block, a)++;
	TLS_BENCH_SLOT(slot, struct tls_bench_block, b)++;
	TLS_BENCH_SLOT(slot, struct tls_bench_block, c)++;
	TLS_BENCH_SLOT(slot, struct tls_bench_block, d)++;
}
