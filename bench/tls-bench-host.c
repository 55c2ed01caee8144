/*
 * The bench's host library: loaded at start-up, so its TLS sits in the
 * static block and initial-exec is allowed (the contract, point 3).  It
 * hands plugins a pointer to its per-thread block, the "host-provided
 * per-thread block" alternative to plugin TLS.
 */
#include "tls-bench.h"

static _Thread_local struct tls_bench_block block __attribute__((tls_model("initial-exec")));

struct tls_bench_block *tls_bench_host_block(void)
{
	return &block;
}
