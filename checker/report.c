#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void add_line(struct verdict *v, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	v->text = xrealloc(v->text, v->len + (size_t)n + 2);
	if (v->len)
		v->text[v->len++] = '\n';
	vsnprintf(v->text + v->len, (size_t)n + 1, fmt, ap);
	v->len += (size_t)n;
}

/* Severity order for a verdict: fail > warn > skip > pass. */
static void raise_to(struct verdict *v, enum status s)
{
	static const int rank[] = {[STATUS_PASS] = 0, [STATUS_SKIP] = 1, [STATUS_WARN] = 2,
				   [STATUS_FAIL] = 3, [STATUS_WAIVED] = 0, [STATUS_ERROR] = 4};

	if (rank[s] > rank[v->status])
		v->status = s;
}

#define VERDICT_LINE(name, st)                                      \
	void name(struct verdict *v, const char *fmt, ...)          \
	{                                                           \
		va_list ap;                                         \
		va_start(ap, fmt);                                  \
		add_line(v, fmt, ap);                               \
		va_end(ap);                                         \
		raise_to(v, st);                                    \
	}

VERDICT_LINE(verdict_fail, STATUS_FAIL)
VERDICT_LINE(verdict_warn, STATUS_WARN)
VERDICT_LINE(verdict_skip, STATUS_SKIP)
VERDICT_LINE(verdict_note, STATUS_PASS)

void report_add(struct report *r, const struct check *c, const char *file, struct verdict *v)
{
	char *file_copy = xstrdup(file);

	r->findings = xrealloc(r->findings, (r->n + 1) * sizeof(*r->findings));
	r->findings[r->n++] = (struct finding){
		.check = c,
		.file = file_copy,
		.status = v->status,
		.message = v->text,
	};
	memset(v, 0, sizeof(*v));
}

/* The finding an unreadable input gets: not a check (no waiver names it). */
static const struct check input_error = {
	"error", "the file can be read and parsed",
	"a file that is not a readable ELF object cannot be judged",
	"name the file itself (not a linker script, directory or broken link)",
};

void report_add_error(struct report *r, const char *file, const char *message)
{
	struct verdict v = {0};

	verdict_note(&v, "%s", message);
	v.status = STATUS_ERROR;
	report_add(r, &input_error, file, &v);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->findings[i].file);
		free(r->findings[i].message);
		free(r->findings[i].waiver);
	}
	free(r->findings);
	memset(r, 0, sizeof(*r));
}

static const char *status_name(enum status s)
{
	switch (s) {
	case STATUS_PASS: return "pass";
	case STATUS_WARN: return "warn";
	case STATUS_FAIL: return "fail";
	case STATUS_SKIP: return "skip";
	case STATUS_WAIVED: return "waived";
	case STATUS_ERROR: return "error";
	}
	return "?";
}

static void count(const struct report *r, size_t counts[STATUS_COUNT])
{
	memset(counts, 0, STATUS_COUNT * sizeof(size_t));
	for (size_t i = 0; i < r->n; i++)
		counts[r->findings[i].status]++;
}

/* Prints text with every line after the first indented by indent. */
static void print_indented(FILE *out, const char *text, const char *indent)
{
	for (const char *s = text; *s; s++) {
		fputc(*s, out);
		if (*s == '\n')
			fputs(indent, out);
	}
	fputc('\n', out);
}

static bool is_problem(enum status s)
{
	return s == STATUS_FAIL || s == STATUS_WARN || s == STATUS_ERROR;
}

static void print_text(const struct report *r, bool color, bool problems, FILE *out)
{
	static const char *const colors[] = {
		[STATUS_PASS] = "\033[32m", [STATUS_WARN] = "\033[33m", [STATUS_FAIL] = "\033[31;1m",
		[STATUS_SKIP] = "\033[2m", [STATUS_WAIVED] = "\033[36m", [STATUS_ERROR] = "\033[31;1m",
	};
	size_t counts[STATUS_COUNT], id_width = 0;
	bool details = false;

	for (size_t i = 0; i < r->n; i++) {
		size_t w = strlen(r->findings[i].check->id);

		if (w > id_width)
			id_width = w;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->findings[i];
		char label[8];

		if (is_problem(f->status) || f->status == STATUS_WAIVED)
			details = true;
		if (problems)
			continue;
		snprintf(label, sizeof(label), "%s", status_name(f->status));
		for (char *c = label; *c; c++)
			*c = (char)(*c - 'a' + 'A');
		fprintf(out, "%s%-6s%s %-*s  %s\n", color ? colors[f->status] : "", label,
			color ? "\033[0m" : "", (int)id_width, f->check->id, f->file);
	}
	if (details) {
		if (!problems)
			fputs("\n", out);
		for (size_t i = 0; i < r->n; i++) {
			const struct finding *f = &r->findings[i];
			const char *on = color ? colors[f->status] : "", *off = color ? "\033[0m" : "";

			/* A waiver was decided once: the reason is enough. */
			if (f->status == STATUS_WAIVED) {
				fprintf(out, "%swaived%s %s: %s: %s\n", on, off, f->check->id, f->file,
					f->waiver ? f->waiver : "");
				continue;
			}
			if (!is_problem(f->status))
				continue;
			if (f->status == STATUS_ERROR)
				fprintf(out, "%serror%s: %s\n", on, off, f->file);
			else
				fprintf(out, "%s%s%s %s: %s\n", on, status_name(f->status), off, f->check->id,
					f->file);
			fputs("  what: ", out);
			print_indented(out, f->message ? f->message : "", "        ");
			if (f->status != STATUS_ERROR)
				fprintf(out, "  why:  %s\n  fix:  %s\n", f->check->why, f->check->fix);
			fputs("\n", out);
		}
	}
	count(r, counts);
	fprintf(out, "%zu pass, %zu fail, %zu warn, %zu skip", counts[STATUS_PASS], counts[STATUS_FAIL],
		counts[STATUS_WARN], counts[STATUS_SKIP]);
	if (counts[STATUS_WAIVED])
		fprintf(out, ", %zu waived", counts[STATUS_WAIVED]);
	if (counts[STATUS_ERROR])
		fprintf(out, ", %zu error", counts[STATUS_ERROR]);
	fputc('\n', out);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* Version 2 names the fix as the table does; version 1 called it "hint". */
static void print_json(const struct report *r, int version, bool problems, FILE *out)
{
	size_t counts[STATUS_COUNT], shown = 0;

	fprintf(out, "{\"version\":%d,\"checks\":[", version);
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->findings[i];

		if (problems && !is_problem(f->status) && f->status != STATUS_WAIVED)
			continue;
		fputs(shown++ ? ",\n{\"id\":" : "\n{\"id\":", out);
		json_string(out, f->check->id);
		fputs(",\"status\":", out);
		json_string(out, status_name(f->status));
		fputs(",\"file\":", out);
		json_string(out, f->file);
		fputs(",\"message\":", out);
		json_string(out, f->message);
		fputs(",\"why\":", out);
		json_string(out, f->check->why);
		fputs(version == 1 ? ",\"hint\":" : ",\"fix\":", out);
		json_string(out, f->check->fix);
		if (f->waiver) {
			fputs(",\"waiver\":", out);
			json_string(out, f->waiver);
		}
		fputc('}', out);
	}
	count(r, counts);
	fprintf(out, "\n],\"summary\":{\"pass\":%zu,\"fail\":%zu,\"warn\":%zu,\"skip\":%zu,\"waived\":%zu,"
		"\"error\":%zu}}\n",
		counts[STATUS_PASS], counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_SKIP],
		counts[STATUS_WAIVED], counts[STATUS_ERROR]);
}

/* TAP 13: a warning or a waiver is a passing point with its reason in the
 * YAML block; a skip carries the SKIP directive. */
static void print_tap(const struct report *r, bool problems, FILE *out)
{
	size_t plan = 0, n = 0;

	for (size_t i = 0; i < r->n; i++)
		plan += !problems || is_problem(r->findings[i].status) ||
			r->findings[i].status == STATUS_WAIVED;
	fprintf(out, "TAP version 13\n1..%zu\n", plan);
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->findings[i];

		if (problems && !is_problem(f->status) && f->status != STATUS_WAIVED)
			continue;
		fprintf(out, "%s %zu - %s %s",
			f->status == STATUS_FAIL || f->status == STATUS_ERROR ? "not ok" : "ok", ++n,
			f->check->id, f->file);
		if (f->status == STATUS_SKIP)
			fprintf(out, " # SKIP %s", f->message ? f->message : "");
		fputc('\n', out);
		if (is_problem(f->status) || f->status == STATUS_WAIVED) {
			fprintf(out, "  ---\n  status: %s\n  message: ", status_name(f->status));
			json_string(out, f->message);
			fputs("\n  fix: ", out);
			json_string(out, f->check->fix);
			if (f->waiver) {
				fputs("\n  waiver: ", out);
				json_string(out, f->waiver);
			}
			fputs("\n  ...\n", out);
		}
	}
}

void report_print(const struct report *r, enum format format, bool color, bool problems,
		  FILE *out)
{
	switch (format) {
	case FORMAT_TEXT:
		print_text(r, color, problems, out);
		break;
	case FORMAT_JSON:
		print_json(r, 2, problems, out);
		break;
	case FORMAT_JSON1:
		print_json(r, 1, problems, out);
		break;
	case FORMAT_TAP:
		print_tap(r, problems, out);
		break;
	}
}

int report_exit_status(const struct report *r, bool strict)
{
	int status = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (r->findings[i].status == STATUS_ERROR)
			return 2;
		if (r->findings[i].status == STATUS_FAIL ||
		    (strict && r->findings[i].status == STATUS_WARN))
			status = 1;
	}
	return status;
}
