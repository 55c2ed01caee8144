#include "subst.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

char *expand(const char *text, const struct subst *subs)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out;

	for (const struct subst *s = subs; s->key; s++)
		for (const char *p = text; (p = strstr(p, s->key)); p += strlen(s->key))
			cap += strlen(s->value);
	out = xmalloc(cap);
	for (const char *p = text; *p;) {
		const struct subst *s = subs;

		for (; s->key; s++)
			if (strncmp(p, s->key, strlen(s->key)) == 0)
				break;
		if (s->key) {
			len += (size_t)snprintf(out + len, cap - len, "%s", s->value);
			p += strlen(s->key);
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
	return out;
}

bool is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}
