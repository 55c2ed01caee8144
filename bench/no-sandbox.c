/*
 * LD_PRELOADed into scanelf so that callgrind can count its instructions:
 * pax-utils' security_init() (security.c) ends with
 * prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ...), and valgrind's own
 * system calls then die of SIGSYS.  Every other prctl goes through.
 */
#define _GNU_SOURCE
#include <linux/prctl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

int prctl(int option, ...)
{
	va_list ap;
	unsigned long a[4];

	if (option == PR_SET_SECCOMP)
		return 0;
	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	return (int)syscall(SYS_prctl, option, a[0], a[1], a[2], a[3]);
}
