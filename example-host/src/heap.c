/* What the host knows about its own allocator. */
#include "examplehost.h"

#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#if defined(EXAMPLEHOST_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define ALLOCATOR "jemalloc"
#elif defined(EXAMPLEHOST_MIMALLOC)
#include <mimalloc.h>
#define ALLOCATOR "mimalloc"
#else
#define ALLOCATOR "system"
#endif

/*
 * Under valgrind (--soname-synonyms=somalloc=libexamplehost.so*) memcheck
 * replaces the host's malloc as well as libc's: the allocator is still
 * linked in but serves nothing, and its bookkeeping would wrongly say
 * "foreign heap".
 */
const char *examplehost_allocator(void)
{
	return RUNNING_ON_VALGRIND ? "valgrind (in place of " ALLOCATOR ")" : ALLOCATOR;
}

/*
 * jemalloc's thread.allocated / thread.deallocated are exact per-thread
 * byte counts (usable sizes) kept on its fast path: unlike stats.allocated
 * they need no epoch refresh and do not lag behind the thread cache.
 */
bool examplehost_heap_thread_counters(uint64_t *allocated, uint64_t *freed)
{
	*allocated = *freed = 0;
#ifdef EXAMPLEHOST_JEMALLOC
	size_t len = sizeof(uint64_t);

	if (RUNNING_ON_VALGRIND || mallctl("thread.allocated", allocated, &len, NULL, 0) != 0)
		return false;
	len = sizeof(uint64_t);
	return mallctl("thread.deallocated", freed, &len, NULL, 0) == 0;
#else
	return false;
#endif
}

/* mimalloc knows its own regions; jemalloc has no safe question for a
 * pointer it never made. */
int examplehost_heap_owns(const void *block)
{
#ifdef EXAMPLEHOST_MIMALLOC
	if (!RUNNING_ON_VALGRIND)
		return mi_is_in_heap_region(block) ? 1 : 0;
#endif
	(void)block;
	return -1;
}
