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
	static const int rank[] = {[STATUS_PASS] = 0, [STATUS_SKIP] = 1,   [STATUS_WARN] = 2,
				   [STATUS_FAIL] = 3, [STATUS_WAIVED] = 0, [STATUS_ERROR] = 4};

	if (rank[s] > rank[v->status])
		v->status = s;
}

#define VERDICT_LINE(name, st)                             \
	void name(struct verdict *v, const char *fmt, ...) \
	{                                                  \
		va_list ap;                                \
		va_start(ap, fmt);                         \
		add_line(v, fmt, ap);                      \
		va_end(ap);                                \
		raise_to(v, st);                           \
	}

VERDICT_LINE(verdict_fail, STATUS_FAIL)
VERDICT_LINE(verdict_warn, STATUS_WARN)
VERDICT_LINE(verdict_skip, STATUS_SKIP)

void verdict_note(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	/* A note on a failure explains it and is always kept. */
	if (v->skip_notes && v->status == STATUS_PASS)
		return;
	va_start(ap, fmt);
	add_line(v, fmt, ap);
	va_end(ap);
}

void report_add(struct report *r, const struct check *c, const char *file, struct verdict *v)
{
	char *file_copy = xstrdup(file);

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->findings = xrealloc(r->findings, r->cap * sizeof(*r->findings));
	}
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
	"error",
	"the file can be read and parsed",
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

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0 when the byte at p
 * starts none.  File names and strings inside ELF files are bytes, not
 * text: every output format decides what to do with the ones that are not.
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned lo = 0x80, hi = 0xbf;
	size_t n;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, lo = *p == 0xe0 ? 0xa0 : 0x80, hi = *p == 0xed ? 0x9f : 0xbf;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, lo = *p == 0xf0 ? 0x90 : 0x80, hi = *p == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* The code point of the well-formed n-byte sequence at p. */
static unsigned codepoint(const unsigned char *p, size_t n)
{
	unsigned cp = n == 1 ? p[0] : p[0] & (0x7f >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/* C0, DEL and C1: what a terminal or a YAML reader takes as control; and
 * the bidirectional overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069), which make a name read as another on screen. */
static bool is_control(const unsigned char *p, size_t n)
{
	unsigned cp = codepoint(p, n);

	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * YAML 1.1 (TAP 13's) ends a line at U+2028 and U+2029 too, which would
 * fold inside a double-quoted scalar, and may not hold U+FFFE or U+FFFF
 * at all (its printable set stops at U+FFFD).  JSON takes all four raw.
 */
static bool yaml_special(const unsigned char *p, size_t n)
{
	unsigned cp = codepoint(p, n);

	return cp == 0x2028 || cp == 0x2029 || cp == 0xfffe || cp == 0xffff;
}

/* JSON (and YAML, whose double-quoted scalars are a superset): UTF-8 passes
 * through; controls, and what YAML would misread, are escaped; a byte that
 * is not UTF-8 becomes U+FFFD, the replacement character, as every UTF-8
 * decoder would show it. */
static void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", out);
			n = 1;
		} else if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (is_control(p, n) || yaml_special(p, n))
			fprintf(out, "\\u%04x", codepoint(p, n));
		else
			fwrite(p, 1, n, out);
		p += n;
	}
	fputc('"', out);
}

/*
 * Text for a terminal or a TAP line: UTF-8 passes through; a control (as
 * is_control says) or a byte that is not UTF-8 is written \xNN, byte by
 * byte, so no name can move the cursor, recolour the screen, start a line
 * or reorder what it shows.  keep_newlines lets a verdict's
 * lines through (indented by the caller); tap escapes '#' as TAP's "\#",
 * so a name cannot carry a directive (# TODO, # SKIP).
 */
static void safe_text(FILE *out, const char *s, const char *newline_indent, bool tap)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		const unsigned char *run = p;
		size_t n;

		/* Plain text goes out in one write (a check of thousands of
		 * plugins prints megabytes); only what needs escaping is
		 * written a sequence at a time. */
		for (;;) {
			/* Printable ASCII, most of any name, without decoding. */
			while (*p >= 0x20 && *p < 0x7f && !(tap && (*p == '#' || *p == '\\')))
				p++;
			if (!*p || *p < 0x80 || (n = utf8_len(p)) == 0 || is_control(p, n))
				break;
			p += n;
		}
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		n = utf8_len(p);
		if (*p == '\n' && newline_indent) {
			fputc('\n', out);
			fputs(newline_indent, out);
		} else if (*p == '#' && tap)
			fputs("\\#", out);
		else if (*p == '\\' && tap)
			fputs("\\\\", out);
		else { /* a control, or a byte that is not UTF-8 (n == 0) */
			for (size_t i = 0; i < (n ? n : 1); i++)
				fprintf(out, "\\x%02x", p[i]);
			n = n ? n : 1;
		}
		p += n;
	}
}

void print_text_safely(FILE *out, const char *s)
{
	safe_text(out, s, NULL, false);
}

static bool is_problem(enum status s)
{
	return s == STATUS_FAIL || s == STATUS_WARN || s == STATUS_ERROR;
}

static void print_text(const struct report *r, bool color, bool problems, FILE *out)
{
	static const char *const colors[] = {
		[STATUS_PASS] = "\033[32m",   [STATUS_WARN] = "\033[33m",
		[STATUS_FAIL] = "\033[31;1m", [STATUS_SKIP] = "\033[2m",
		[STATUS_WAIVED] = "\033[36m", [STATUS_ERROR] = "\033[31;1m",
	};
	size_t counts[STATUS_COUNT], id_width = 0;
	bool details = false;

	for (size_t i = 0; i < r->n; i++) {
		size_t w = strlen(r->findings[i].check->id);

		if (w > id_width)
			id_width = w;
	}
	/* One line per finding, thousands of them for a big plugin set: put
	 * together with fputs, as printf's format parsing would cost more than
	 * everything else the line needs. */
	static const char *const labels[] = {
		[STATUS_PASS] = "PASS  ", [STATUS_WARN] = "WARN  ",   [STATUS_FAIL] = "FAIL  ",
		[STATUS_SKIP] = "SKIP  ", [STATUS_WAIVED] = "WAIVED", [STATUS_ERROR] = "ERROR ",
	};
	static const char spaces[] = "                                ";
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->findings[i];
		size_t pad;

		if (is_problem(f->status) || f->status == STATUS_WAIVED)
			details = true;
		if (problems)
			continue;
		if (color)
			fputs(colors[f->status], out);
		fputs(labels[f->status], out);
		fputs(color ? "\033[0m " : " ", out);
		fputs(f->check->id, out);
		for (pad = id_width - strlen(f->check->id) + 2; pad > 0;) {
			size_t n = pad < sizeof(spaces) - 1 ? pad : sizeof(spaces) - 1;

			fwrite(spaces, 1, n, out);
			pad -= n;
		}
		safe_text(out, f->file, NULL, false);
		fputc('\n', out);
	}
	if (details) {
		if (!problems)
			fputs("\n", out);
		for (size_t i = 0; i < r->n; i++) {
			const struct finding *f = &r->findings[i];
			const char *on = color ? colors[f->status] : "",
				   *off = color ? "\033[0m" : "";

			/* A waiver was decided once: the reason is enough. */
			if (f->status == STATUS_WAIVED) {
				fprintf(out, "%swaived%s %s: ", on, off, f->check->id);
				safe_text(out, f->file, NULL, false);
				fputs(": ", out);
				safe_text(out, f->waiver, NULL, false);
				fputc('\n', out);
				continue;
			}
			if (!is_problem(f->status))
				continue;
			if (f->status == STATUS_ERROR)
				fprintf(out, "%serror%s: ", on, off);
			else
				fprintf(out, "%s%s%s %s: ", on, status_name(f->status), off,
					f->check->id);
			safe_text(out, f->file, NULL, false);
			fputs("\n  what: ", out);
			safe_text(out, f->message, "        ", false);
			fputc('\n', out);
			if (f->status != STATUS_ERROR)
				fprintf(out, "  why:  %s\n  fix:  %s\n", f->check->why,
					f->check->fix);
			fputs("\n", out);
		}
	}
	count(r, counts);
	fprintf(out, "%zu pass, %zu fail, %zu warn, %zu skip", counts[STATUS_PASS],
		counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_SKIP]);
	if (counts[STATUS_WAIVED])
		fprintf(out, ", %zu waived", counts[STATUS_WAIVED]);
	if (counts[STATUS_ERROR])
		fprintf(out, ", %zu error", counts[STATUS_ERROR]);
	fputc('\n', out);
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
	fprintf(out,
		"\n],\"summary\":{\"pass\":%zu,\"fail\":%zu,\"warn\":%zu,\"skip\":%zu,\"waived\":%zu,"
		"\"error\":%zu}}\n",
		counts[STATUS_PASS], counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_SKIP],
		counts[STATUS_WAIVED], counts[STATUS_ERROR]);
}

/* TAP 13: a warning or a waiver is a passing point with its reason in the
 * YAML block; a skip carries the SKIP directive.  The description is one
 * line with every '#' escaped, so only plugkit writes directives.  The
 * YAML's values are JSON strings, which YAML reads as double-quoted
 * scalars: any bytes stay one well-formed line. */
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
		fprintf(out, "%s %zu - %s ",
			f->status == STATUS_FAIL || f->status == STATUS_ERROR ? "not ok" : "ok",
			++n, f->check->id);
		safe_text(out, f->file, NULL, true);
		if (f->status == STATUS_SKIP) {
			fputs(" # SKIP ", out);
			safe_text(out, f->message, NULL, true);
		}
		fputc('\n', out);
		if (is_problem(f->status) || f->status == STATUS_WAIVED) {
			fprintf(out, "  ---\n  status: %s\n  message: ", status_name(f->status));
			json_string(out, f->message);
			fputs("\n  why: ", out);
			json_string(out, f->check->why);
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

void report_print(const struct report *r, enum format format, bool color, bool problems, FILE *out)
{
	switch (format) {
	case FORMAT_TEXT: print_text(r, color, problems, out); break;
	case FORMAT_JSON: print_json(r, 2, problems, out); break;
	case FORMAT_JSON1: print_json(r, 1, problems, out); break;
	case FORMAT_TAP: print_tap(r, problems, out); break;
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
