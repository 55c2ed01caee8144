/*
 * LD_PRELOADed into a real host command for the field suite's "static TLS
 * spent" column: before the host's main() runs, its constructor dlopens
 * each of FIELD_SPENDERS (':'-separated objects with initial-exec TLS of
 * their own, in decreasing sizes; the ones that no longer fit are skipped)
 * and returns.  The host then runs as users run it, loading its plugins
 * itself, with glibc's spare static TLS used up as the plugins a
 * long-running process loaded earlier would leave it.  A spender that
 * fails for any other reason ends the process with status 125 and the
 * error, so that an unspent budget is never taken for a spent one.  No
 * command-line
 * form of a host can say "load this after the budget is spent", and
 * glibc.rtld.optional_static_tls cannot take the surplus to zero (the
 * per-namespace part remains), hence this preload.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void field_spend(void)
{
	const char *env = getenv("FIELD_SPENDERS");
	char *list, *save = NULL;

	if (!env || !(list = strdup(env)))
		return;
	for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		const char *err;

		if (dlopen(p, RTLD_NOW | RTLD_LOCAL) || !(err = dlerror()) ||
		    strstr(err, "cannot allocate memory in static TLS block"))
			continue;
		fprintf(stderr, "field-spend: %s\n", err);
		_exit(125);
	}
	free(list);
}
