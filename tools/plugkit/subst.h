#ifndef PLUGKIT_SUBST_H
#define PLUGKIT_SUBST_H

#include <stdbool.h>

/* A template placeholder: key is "@NAME@", value what replaces it. */
struct subst {
	const char *key, *value;
};

/* text with every key of subs (ended by a NULL key) replaced; other '@'s
 * are left alone.  The result is malloc()ed. */
char *expand(const char *text, const struct subst *subs);

/* A C identifier: a letter or '_', then letters, digits and '_'. */
bool is_identifier(const char *s);

#endif
