/*
 * Every rule plugkit enforces, stated once: its id, what passing means, the
 * ld.so or glibc rule behind it and the fix.  The checklist (checker/), the
 * runtime loader (libplugkit/) and docs/checks.md all read this table.
 */
#ifndef PLUGKIT_RULES_H
#define PLUGKIT_RULES_H

#include <stdbool.h>

/*
 * glibc's spare static TLS for everything loaded after start-up: 1664 bytes
 * on glibc 2.36 (TLS_STATIC_SURPLUS, elf/dl-tls.c, with the default
 * glibc.rtld.optional_static_tls of 512 and nns 4).
 */
#define PLUGKIT_STATIC_TLS_SURPLUS 1664
#define PLUGKIT_STR_(x) #x
#define PLUGKIT_STR(x) PLUGKIT_STR_(x)

struct check {
	const char *id;
	const char *title; /* what passing means, in a few words */
	const char *why;   /* the ld.so or glibc rule behind it */
	const char *fix;   /* how to fix a failure */
};

enum rule_id {
	RULE_SHIM,
	RULE_ALLOCATOR_BINDING,
	RULE_PRIVATE_ALLOCATOR,
	RULE_STATIC_TLS,
	RULE_TLSDESC,
	RULE_ONE_HOST,
	RULE_SECOND_HOST,
	RULE_SEARCH_PATH,
	RULE_NEEDED_RESOLVES,
	RULE_UNDEFINED_SYMBOLS,
	RULE_TEXTREL,
	RULE_EXEC_STACK,
	RULE_WX_SEGMENT,
	RULE_EXPORTS,
	RULE_COUNT
};

extern const struct check plugkit_rules[RULE_COUNT];

/* The rule with that id, or NULL. */
const struct check *rule_by_id(const char *id);

#endif
