/*
 * The corruption test's plugin: 64 KiB of per-thread state, filled with a
 * thread's own pattern and summed back (tests/fixtures/static-tls's 64 KiB
 * test).  Built in the plugin's own TLS with each dialect, and with
 * TLS_STRESS_SLOT in a slot of the host's block, reached in the
 * initial-exec model.
 */
#include <stddef.h>

#include "tls-bench.h"

#define EXPORT __attribute__((visibility("default")))
#define BYTES 65536

#ifdef TLS_STRESS_SLOT
struct state {
	unsigned char bytes[BYTES];
};
static long slot = -1;
#define BLOCK TLS_BENCH_SLOT(slot, struct state, bytes)
#else
static _Thread_local unsigned char own[BYTES];
#define BLOCK own
#endif

/* 0, or -1 when the host's block has no room. */
EXPORT int tls_stress_init(void)
{
#ifdef TLS_STRESS_SLOT
	if (slot < 0)
		slot = tls_bench_thread_slot(sizeof(struct state));
	return slot < 0 ? -1 : 0;
#else
	return 0;
#endif
}

EXPORT void tls_stress_fill(unsigned seed)
{
	for (size_t i = 0; i < BYTES; i++)
		BLOCK[i] = (unsigned char)(seed + i);
}

EXPORT unsigned long tls_stress_sum(void)
{
	unsigned long sum = 0;

	for (size_t i = 0; i < BYTES; i++)
		sum += BLOCK[i];
	return sum;
}
