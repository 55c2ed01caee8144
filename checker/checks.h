/* The checklist: one table of checks, each a small function with an id, the
 * rule it enforces and the fix. */
#ifndef PLUGKIT_CHECKS_H
#define PLUGKIT_CHECKS_H

#include "ldso.h"
#include "report.h"

/*
 * The static TLS that plugins checked so far placed, in command-line order:
 * plugins stay loaded, and glibc gives static TLS back at dlclose only
 * when the block closed was the last one placed (never the optional
 * part), so what one plugin's closure spends is gone for the next.
 */
struct static_tls_spent {
	const struct object **placed; /* objects whose blocks are placed */
	size_t n, cap;
	unsigned long long bytes;
};

struct context {
	struct ldso *ld;
	struct object *shim, *host; /* NULL when not given */
	const char *shim_arg, *host_arg;
	struct process *p; /* start-up, then one plugin's dlopen */
	bool have_startup;
	int host_idx;         /* the host in p->loaded, or -1 */
	int provider;         /* where the global scope's malloc binds, or -1 */
	int intended;         /* the first non-libc object defining malloc, or -1 */
	bool dlopen_global;   /* RTLD_GLOBAL: each plugin joins the global scope */
	bool dlopen_lazy;     /* RTLD_LAZY: functions bind at their first call */
	char *const *entries; /* --entry globs */
	size_t n_entries;
	struct static_tls_spent *tls_spent; /* run_checks sets it */
};

/* Checks the given files and appends one finding per check and file.
 * Returns 0, or -1 when the simulation ran out of memory. */
int run_checks(struct context *ctx, struct object **plugins, char *const *plugin_args,
	       size_t n_plugins, struct report *r);

/* The table, for `plugkit help check` and docs. */
void print_check_list(FILE *out);

bool is_check_id(const char *id);

/* The search-path check's rules on one object's DT_RPATH and DT_RUNPATH
 * (for plugkit rpath, which verifies what it wrote). */
void judge_search_path(const struct ldso *ld, const struct object *obj, struct verdict *v);

#endif
