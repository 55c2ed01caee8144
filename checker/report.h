/* Findings, their statuses, and the three output formats. */
#ifndef PLUGKIT_REPORT_H
#define PLUGKIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules.h"

/* STATUS_ERROR: the file could not be read or parsed, so nothing was
 * judged on it (exit status 2). */
enum status { STATUS_PASS, STATUS_WARN, STATUS_FAIL, STATUS_SKIP, STATUS_WAIVED, STATUS_ERROR };
#define STATUS_COUNT 6

/* A check's result on one file, built up line by line. */
struct verdict {
	enum status status;
	char *text; /* '\n'-separated lines */
	size_t len;
	bool skip_notes; /* nothing will print a passing verdict's notes */
};

void verdict_fail(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void verdict_warn(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void verdict_skip(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line that changes no status: what a passing check verified. */
void verdict_note(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct finding {
	const struct check *check;
	char *file;
	enum status status;
	char *message;
	char *waiver; /* the reason, when a waiver applied */
};

struct report {
	struct finding *findings;
	size_t n, cap;
	/* The output format shows no message of a pass (text, TAP): pass
	 * notes are then never formatted, a third of the time at 1000 plugins. */
	bool skip_pass_notes;
};

/* Takes the verdict's text; a verdict with no line says "ok". */
void report_add(struct report *r, const struct check *c, const char *file, struct verdict *v);
/* An input that cannot be read: one "error" finding for that file. */
void report_add_error(struct report *r, const char *file, const char *message);
void report_free(struct report *r);

/* FORMAT_JSON1: the JSON schema's version 1, which called the fix "hint",
 * for readers written against it (docs/checks.md). */
enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_JSON1, FORMAT_TAP };

/* problems: failures, warnings, errors and waivers only (one line each
 * for waivers), then the summary line. */
void report_print(const struct report *r, enum format format, bool color, bool problems, FILE *out);

/* Writes s for a terminal, as the text format does: UTF-8 as it is, a
 * control or a byte that is not UTF-8 as \xNN.  For strings taken from
 * files (a DT_RUNPATH) that other commands print. */
void print_text_safely(FILE *out, const char *s);

/* 2 when an input could not be read, 1 when anything failed (or warned,
 * under strict), else 0. */
int report_exit_status(const struct report *r, bool strict);

#endif
