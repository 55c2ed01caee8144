/* How libplugkit says no: a status and one message, the rule's own words. */
#ifndef PLUGKIT_REFUSE_H
#define PLUGKIT_REFUSE_H

#include "plugkit.h"
#include "rules.h"

enum plugkit_status plugkit_fail(struct plugkit_error *error, enum plugkit_status status,
				 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * A refusal under one of the core's rules: "WHAT [id]: WHY. Fix: FIX",
 * the why and the fix taken from plugkit_rules, as plugkit check prints
 * them.
 */
enum plugkit_status plugkit_refuse(struct plugkit_error *error, enum plugkit_status status,
				   enum rule_id rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
