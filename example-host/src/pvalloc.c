/*
 * jemalloc has no pvalloc().  Without one here, a pvalloc() call would bind
 * to glibc's and hand out a block from glibc's heap that jemalloc's free()
 * would later be given: the split heap the host exists to prevent.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <unistd.h>

__attribute__((visibility("default"))) void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	/* glibc rounds up to whole pages and gives one page for size 0. */
	if (size > SIZE_MAX - page) {
		errno = ENOMEM;
		return NULL;
	}
	size = size ? (size + page - 1) & ~(page - 1) : page;
	return memalign(page, size);
}
