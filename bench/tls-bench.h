/* What the TLS bench's host, plugins and driver share. */
#ifndef PLUGKIT_TLS_BENCH_H
#define PLUGKIT_TLS_BENCH_H

#include <stddef.h>

/* A plugin's hot per-thread state. */
struct tls_bench_block {
	unsigned long a, b, c, d;
};

__attribute__((visibility("default"))) struct tls_bench_block *tls_bench_host_block(void);

/*
 * The host's per-thread block for plugins (docs/tls.md): the host library
 * is loaded at start-up, so its initial-exec TLS is in the static block
 * and a plugin reaches a slot of it in the initial-exec model at no cost
 * in static TLS.  __thread, not thread_local: C++ would call a wrapper.
 */
#define TLS_BENCH_THREAD_BYTES (65536 + 128)
extern __thread unsigned char tls_bench_thread[] __attribute__((tls_model("initial-exec")));

/*
 * A new slot of bytes in the block, as its offset less TLS_BENCH_BIAS (the
 * host keeps the first TLS_BENCH_BIAS bytes), or -1 when it is full.  The
 * bias is added back as a constant: GCC 12 folds the block's TLS offset,
 * the slot and the field into one %fs-relative operand only when the
 * constant part is not zero.
 */
#define TLS_BENCH_BIAS 64
__attribute__((visibility("default"))) long tls_bench_thread_slot(size_t bytes);

/* A field of a slot, indexed in the block itself (through a pointer it
 * would cost an instruction more). */
#define TLS_BENCH_SLOT(slot, type, field) \
	(*(__typeof__(((type *)0)->field) \
		   *)&tls_bench_thread[(size_t)(slot) + TLS_BENCH_BIAS + offsetof(type, field)])

#endif
