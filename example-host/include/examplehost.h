/*
 * examplehost: the host library of plugkit's example.  The program is
 * libexamplehost.so.1 plus a shim; plugins link against this library.
 */
#ifndef EXAMPLEHOST_H
#define EXAMPLEHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXAMPLEHOST_API __attribute__((visibility("default")))

/* C linkage for C++ plugins and programs too. */
#ifdef __cplusplus
extern "C" {
#endif

/* Bump when struct examplehost_plugin changes incompatibly. */
#define EXAMPLEHOST_PLUGIN_ABI 1

/* The symbol every plugin exports: a const struct examplehost_plugin. */
#define EXAMPLEHOST_PLUGIN_SYMBOL "examplehost_plugin"

/*
 * What a plugin does for the host.  Each hook moves memory across the
 * boundary in one direction, so the host can watch its own allocator's
 * counters around the call and tell which heap served it.
 */
struct examplehost_plugin {
	uint32_t abi;
	const char *name;
	/* malloc() in the plugin; the host frees the block. */
	void *(*alloc_block)(size_t size);
	/* The host malloc()ed the block; the plugin frees it. */
	void (*free_block)(void *block);
	/* strdup() inside libc, called from the plugin; the host frees it. */
	char *(*libc_strdup)(const char *text);
	/* asprintf() inside libc; the host frees the string. */
	char *(*libc_asprintf)(unsigned value);
	/* getline() inside libc reading text; the host frees the line. */
	char *(*libc_getline)(const char *text);
	/*
	 * nthreads threads each allocate, reallocate and free rounds blocks,
	 * counting in thread-local state.  Each measures what the host heap
	 * served: its allocator counters (examplehost_heap_thread_counters),
	 * else the blocks examplehost_heap_owns() claims.  Those bytes go to
	 * *host_bytes (0 when the host can measure neither) and the bytes
	 * asked for to *requested.  Returns 0, or -1 when a thread failed or
	 * its thread-local state was wrong.
	 */
	int (*threads)(unsigned nthreads, unsigned rounds, uint64_t *host_bytes,
		       uint64_t *requested);
};

/* The program: parses argv, loads plugins, reports.  The shim's main(). */
EXAMPLEHOST_API int examplehost_main(int argc, char **argv);

/* "jemalloc" or "mimalloc" when the host has an allocator of its own,
 * "system" otherwise. */
EXAMPLEHOST_API const char *examplehost_allocator(void);

/*
 * Bytes the calling thread has ever allocated and freed through the host's
 * allocator (jemalloc's thread.allocated and thread.deallocated).  False
 * when the host has no allocator of its own.
 */
EXAMPLEHOST_API bool examplehost_heap_thread_counters(uint64_t *allocated, uint64_t *freed);

/*
 * Whether block lies in the host allocator's heap: 1 or 0, or -1 when the
 * allocator cannot tell (jemalloc, the system allocator, valgrind).
 */
EXAMPLEHOST_API int examplehost_heap_owns(const void *block);

/* A loaded plugin. */
struct examplehost_module {
	void *handle;
	const struct examplehost_plugin *plugin;
	char *path;
};

/* examplehost_load without libplugkit's checks: to watch what they prevent. */
#define EXAMPLEHOST_LOAD_UNCHECKED 1

/*
 * Loads the plugin at an absolute path with libplugkit's plugkit_open():
 * RTLD_NOW | RTLD_LOCAL, the descriptor's ABI, and every allocator
 * reference bound to the host's allocator.  On failure returns -1 and
 * writes a message naming the file to err.
 */
EXAMPLEHOST_API int examplehost_load(const char *path, unsigned flags,
				     struct examplehost_module *module, char *err, size_t errlen);
EXAMPLEHOST_API void examplehost_unload(struct examplehost_module *module);

/* Where a probe's memory came from, judged by the host's counters. */
enum examplehost_heap {
	EXAMPLEHOST_HEAP_HOST,      /* the host's allocator served it */
	EXAMPLEHOST_HEAP_FOREIGN,   /* the host's allocator never saw it */
	EXAMPLEHOST_HEAP_UNMEASURED /* the host has no counters (system) */
};

struct examplehost_probe {
	const char *name;
	uint64_t requested; /* bytes the probe asked for */
	uint64_t allocated; /* host allocator counter delta, allocation */
	uint64_t freed;     /* host allocator counter delta, free */
	enum examplehost_heap alloc_heap;
	enum examplehost_heap free_heap;
	bool failed; /* the hook returned an error */
};

#define EXAMPLEHOST_PROBES 6

/*
 * Runs every hook of the plugin once, each between two reads of the host's
 * counters.  Fills probes[EXAMPLEHOST_PROBES]; returns how many were not on
 * the host heap or failed.
 */
EXAMPLEHOST_API int examplehost_probe(const struct examplehost_plugin *plugin,
				      struct examplehost_probe *probes);

EXAMPLEHOST_API const char *examplehost_heap_name(enum examplehost_heap heap);

#ifdef __cplusplus
}
#endif

#endif
