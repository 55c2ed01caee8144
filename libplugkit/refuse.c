#include "refuse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum plugkit_status vfail(struct plugkit_error *error, enum plugkit_status status,
				 const char *fmt, va_list ap)
{
	vsnprintf(error->message, sizeof(error->message), fmt, ap);
	error->status = status;
	return status;
}

enum plugkit_status plugkit_fail(struct plugkit_error *error, enum plugkit_status status,
				 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(error, status, fmt, ap);
	va_end(ap);
	return status;
}

enum plugkit_status plugkit_refuse(struct plugkit_error *error, enum plugkit_status status,
				   enum rule_id rule, const char *fmt, ...)
{
	const struct check *c = &plugkit_rules[rule];
	size_t used;
	va_list ap;

	va_start(ap, fmt);
	vfail(error, status, fmt, ap);
	va_end(ap);
	used = strlen(error->message);
	snprintf(error->message + used, sizeof(error->message) - used, " [%s]: %s. Fix: %s", c->id,
		 c->why, c->fix);
	return status;
}
