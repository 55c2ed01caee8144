/*
 * A plugin's thread-local state, built once per TLS access model for
 * bench/tls-bench.c: global-dynamic with -mtls-dialect=gnu (the plugin
 * template's choice before glibc 2.40), TLS descriptors (gnu2),
 * local-dynamic, initial-exec (the speed to match; unsafe in a plugin of its
 * own TLS, and built with 64 bytes, since 64 KiB cannot load), and
 * HOST_BLOCK: the block lives in the host, which is loaded at start-up,
 * and the plugin reaches it in the initial-exec model -- its TPOFF
 * relocation names the host's TLS, already in the static block, so it asks
 * nothing of the ~1664 bytes glibc keeps for late loads.
 */
#include <stddef.h>

#ifndef TLS_BYTES
#define TLS_BYTES 65536
#endif

#ifdef HOST_BLOCK
extern _Thread_local unsigned char bench_host_block[TLS_BYTES]
	__attribute__((tls_model("initial-exec")));
#define block bench_host_block
#else
/* Exported, so that global-dynamic stays global-dynamic. */
__attribute__((visibility("default"))) _Thread_local unsigned char block[TLS_BYTES];
#endif

/* One access per call: what the benchmark counts. */
__attribute__((visibility("default"), noinline)) unsigned tls_bump(void)
{
	return ++block[TLS_BYTES / 2];
}

/* The 64 KiB test of tests/fixtures/common/tls64k.c: a wrong sum means another
 * thread's block, or vector registers clobbered under the access. */
__attribute__((visibility("default"))) void tls_fill(unsigned seed)
{
	for (size_t i = 0; i < TLS_BYTES; i++)
		block[i] = (unsigned char)(seed + i);
}

__attribute__((visibility("default"))) unsigned long tls_sum(void)
{
	unsigned long sum = 0;

	for (size_t i = 0; i < TLS_BYTES; i++)
		sum += block[i];
	return sum;
}
