/* Preloaded in front of a host, operator new[] and delete[] on glibc's
 * heap instead of the host's: a negative control, which the scaffolded
 * C++ plugin's test must fail. */
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *block);

__attribute__((visibility("default"))) void *_Znam(size_t size)
{
	return __libc_malloc(size ? size : 1);
}

__attribute__((visibility("default"))) void _ZdaPv(void *block)
{
	__libc_free(block);
}
