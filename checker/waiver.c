#include "waiver.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "mapfile.h"
#include "xalloc.h"

static char *next_field(char **s)
{
	char *start;

	while (**s && isspace((unsigned char)**s))
		(*s)++;
	if (!**s)
		return NULL;
	start = *s;
	while (**s && !isspace((unsigned char)**s))
		(*s)++;
	if (**s)
		*(*s)++ = '\0';
	return start;
}

/*
 * Where the line's comment starts: a '#' first on the line (after any
 * white space), or a '#' standing alone as a word -- white space before it
 * and white space or the end of the line after it.  A '#' inside a word is
 * text, so a reason can say "see bug #123".
 */
static char *comment(char *line)
{
	for (char *p = line; (p = strchr(p, '#')); p++) {
		bool first = true;

		for (char *q = line; q < p; q++)
			first = first && isspace((unsigned char)*q);
		if (first ||
		    (isspace((unsigned char)p[-1]) && (!p[1] || isspace((unsigned char)p[1]))))
			return p;
	}
	return NULL;
}

static int parse_line(char *line, unsigned lineno, const char *path, struct waivers *ws, char *err,
		      size_t errlen)
{
	char *hash = comment(line), *s = line, *check, *glob, *reason, *end;

	if (hash)
		*hash = '\0';
	if (!(check = next_field(&s)))
		return 0;
	glob = next_field(&s);
	while (*s && isspace((unsigned char)*s))
		s++;
	reason = s;
	for (end = reason + strlen(reason); end > reason && isspace((unsigned char)end[-1]);)
		*--end = '\0';
	if (!glob || !*reason) {
		snprintf(err, errlen,
			 "%s:%u: a waiver is CHECK-ID FILE-GLOB REASON, and the reason "
			 "is not optional",
			 path, lineno);
		return -1;
	}
	if (!is_check_id(check)) {
		snprintf(err, errlen,
			 "%s:%u: no check is called '%s' (plugkit help check lists them)", path,
			 lineno, check);
		return -1;
	}
	ws->w = xrealloc(ws->w, (ws->n + 1) * sizeof(*ws->w));
	ws->w[ws->n++] = (struct waiver){xstrdup(check), xstrdup(glob), xstrdup(reason), lineno};
	return 0;
}

int waivers_load(const char *path, struct waivers *ws, char *err, size_t errlen)
{
	struct mapped m;
	char *text;
	size_t size;
	unsigned lineno = 0;
	int rc = 0;

	memset(ws, 0, sizeof(*ws));
	if (map_file(path, &m, err, errlen) != 0)
		return -1;
	size = m.size;
	text = xmalloc(size + 1);
	memcpy(text, m.data, size);
	text[size] = '\0';
	unmap_file(&m);
	/* A NUL would end the line early and silently drop what follows. */
	if (strlen(text) != size) {
		for (const char *p = text; p < text + strlen(text); p++)
			lineno += *p == '\n';
		snprintf(err, errlen, "%s:%u: a NUL byte: a waiver file is text", path, lineno + 1);
		free(text);
		return -1;
	}
	for (char *line = text, *nl; line && rc == 0; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		rc = parse_line(line, ++lineno, path, ws, err, errlen);
	}
	free(text);
	if (rc != 0)
		waivers_free(ws);
	return rc;
}

void waivers_free(struct waivers *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		free(ws->w[i].check);
		free(ws->w[i].glob);
		free(ws->w[i].reason);
	}
	free(ws->w);
	memset(ws, 0, sizeof(*ws));
}

/* A glob matches the file as named on the command line, or its base name. */
static bool matches(const struct waiver *w, const struct finding *f)
{
	const char *base = strrchr(f->file, '/');

	return strcmp(w->check, f->check->id) == 0 &&
	       (fnmatch(w->glob, f->file, 0) == 0 || (base && fnmatch(w->glob, base + 1, 0) == 0));
}

void waivers_apply(const struct waivers *ws, struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct finding *f = &r->findings[i];

		if (f->status != STATUS_FAIL && f->status != STATUS_WARN)
			continue;
		for (size_t k = 0; k < ws->n; k++) {
			if (!matches(&ws->w[k], f))
				continue;
			f->status = STATUS_WAIVED;
			f->waiver = xstrdup(ws->w[k].reason);
			break;
		}
	}
}
