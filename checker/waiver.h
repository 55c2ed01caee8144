/* Waivers: checked-in exceptions, each with a reason, like lintian overrides. */
#ifndef PLUGKIT_WAIVER_H
#define PLUGKIT_WAIVER_H

#include "report.h"

struct waiver {
	char *check, *glob, *reason;
	unsigned line;
};

struct waivers {
	struct waiver *w;
	size_t n;
};

/*
 * Reads FILE: one waiver a line, "CHECK-ID FILE-GLOB REASON...".  A '#'
 * first on a line, or standing alone as a word, starts a comment; a '#'
 * inside a word ("bug #123") is text.  A NUL byte is an error.  Returns 0,
 * or -1 with "FILE:LINE: problem" in err.
 */
int waivers_load(const char *path, struct waivers *ws, char *err, size_t errlen);
void waivers_free(struct waivers *ws);

/* Turns each failure or warning a waiver matches into STATUS_WAIVED. */
void waivers_apply(const struct waivers *ws, struct report *r);

#endif
