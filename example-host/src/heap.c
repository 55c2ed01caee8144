/* What the host knows about its own allocator. */
#include "examplehost.h"

#ifdef EXAMPLEHOST_JEMALLOC
#include <jemalloc/jemalloc.h>

#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/*
 * Under valgrind (--soname-synonyms=somalloc=libexamplehost.so*) memcheck
 * replaces the host's malloc as well as libc's: jemalloc is still linked in
 * but serves nothing, and its counters would wrongly say "foreign heap".
 */
const char *examplehost_allocator(void)
{
	return RUNNING_ON_VALGRIND ? "valgrind (in place of jemalloc)" : "jemalloc";
}

/*
 * thread.allocated / thread.deallocated are exact per-thread byte counts
 * (usable sizes) kept on jemalloc's fast path: unlike stats.allocated they
 * need no epoch refresh and do not lag behind the thread cache.
 */
bool examplehost_heap_thread_counters(uint64_t *allocated, uint64_t *freed)
{
	size_t len = sizeof(uint64_t);

	if (RUNNING_ON_VALGRIND)
		return false;
	if (mallctl("thread.allocated", allocated, &len, NULL, 0) != 0)
		return false;
	len = sizeof(uint64_t);
	return mallctl("thread.deallocated", freed, &len, NULL, 0) == 0;
}

#else

const char *examplehost_allocator(void)
{
	return "system";
}

bool examplehost_heap_thread_counters(uint64_t *allocated, uint64_t *freed)
{
	*allocated = *freed = 0;
	return false;
}

#endif
