/* What the TLS bench's host, plugins and driver share. */
#ifndef PLUGKIT_TLS_BENCH_H
#define PLUGKIT_TLS_BENCH_H

/* A plugin's hot per-thread state. */
struct tls_bench_block {
	unsigned long a, b, c, d;
};

__attribute__((visibility("default"))) struct tls_bench_block *tls_bench_host_block(void);

#endif
