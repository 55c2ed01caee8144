/*
 * The bench's host library: loaded at start-up, so its TLS sits in the
 * static block and initial-exec is allowed (the contract, point 3).  It
 * hands plugins a pointer to a per-thread block of its own, and slots of
 * an exported per-thread block that plugins reach in the initial-exec
 * model.
 */
#include "tls-bench.h"

static _Thread_local struct tls_bench_block block __attribute__((tls_model("initial-exec")));

__attribute__((visibility("default"),
	       aligned(64))) __thread unsigned char tls_bench_thread[TLS_BENCH_THREAD_BYTES]
	__attribute__((tls_model("initial-exec")));

struct tls_bench_block *tls_bench_host_block(void)
{
	return &block;
}

long tls_bench_thread_slot(size_t bytes)
{
	static size_t used = TLS_BENCH_BIAS;
	size_t need = (bytes + 63) / 64 * 64;
	long slot = (long)(used - TLS_BENCH_BIAS);

	if (need < bytes || need > TLS_BENCH_THREAD_BYTES - used)
		return -1;
	used += need;
	return slot;
}
