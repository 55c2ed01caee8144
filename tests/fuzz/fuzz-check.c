/*
 * libFuzzer harness for the whole `plugkit check` path: one input is up to
 * five files separated by SPLIT -- a plugin, a host library, a shim, a
 * waiver file and a libc -- written into one directory that stands for the
 * whole file system (no ld.so.cache, no system directory but it), so a
 * DT_NEEDED in one finds another and the fuzzer owns every byte ld.so would
 * read, libc's included.  The ld.so simulation, every check, the waivers
 * and every output format run on them, and each output is held to what its
 * format promises (see well_formed_*).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "ldso.h"
#include "report.h"
#include "waiver.h"

#define SPLIT "@@PKIT@@"

enum { PLUGIN, HOST, SHIM, WAIVERS, LIBC, N_PARTS };
static const char *const names[N_PARTS] = {"plugin.so", "libhost.so", "shim", "waivers",
					   "libc.so.6"};
static char paths[N_PARTS][4096];
static char dir[] = "/tmp/plugkit-fuzz-XXXXXX";
static const char *system_dirs[] = {dir, NULL};

static void remove_dir(void)
{
	for (int i = 0; i < N_PARTS; i++)
		unlink(paths[i]);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (!mkdtemp(dir))
		abort();
	for (int i = 0; i < N_PARTS; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, names[i]);
	atexit(remove_dir);
	return 0;
}

static bool write_part(int i, const uint8_t *data, size_t size)
{
	FILE *f = fopen(paths[i], "wb");
	bool ok = f && fwrite(data, 1, size, f) == size;

	if (f && fclose(f) != 0)
		ok = false;
	return ok;
}

/* Well-formed UTF-8 (RFC 3629), written apart from report.c's so that the
 * two can disagree. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], need = c < 0x80   ? 0
					  : c < 0xc2 ? 9
					  : c < 0xe0 ? 1
					  : c < 0xf0 ? 2
					  : c < 0xf5 ? 3
						     : 9;
		uint32_t cp = need == 1 ? c & 0x1f : need == 2 ? c & 0x0f : c & 0x07;

		if (need == 9 || i + need >= n + (need ? 0 : 1))
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* Text and TAP: UTF-8, no control but the line ends, no C1 control and no
 * bidirectional override or isolate (E2 80 AA..AE, E2 81 A6..A9). */
static bool printable(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n; i++) {
		if ((u[i] < 0x20 && u[i] != '\n') || u[i] == 0x7f ||
		    (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0))
			return false;
		if (u[i] == 0xe2 && i + 2 < n &&
		    ((u[i + 1] == 0x80 && u[i + 2] >= 0xaa && u[i + 2] <= 0xae) ||
		     (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			return false;
	}
	return valid_utf8(u, n);
}

/* TAP: every test line's description has no unescaped '#' except the one
 * SKIP directive plugkit writes. */
static bool well_formed_tap(const char *s, size_t n)
{
	if (!printable(s, n))
		return false;
	for (const char *line = s; line < s + n;) {
		const char *end = memchr(line, '\n', (size_t)(s + n - line)), *p;
		size_t hashes = 0;

		if (!end)
			return false;
		if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0) {
			for (p = line; p < end; p++) {
				if (*p == '\\')
					p++;
				else if (*p == '#' &&
					 !(hashes++ == 0 && strncmp(p, "# SKIP ", 7) == 0))
					return false;
			}
		}
		line = end + 1;
	}
	return true;
}

/* JSON: UTF-8 with no raw control byte inside a string (the only raw ones
 * plugkit writes are the newlines between records). */
static bool well_formed_json(const char *s, size_t n)
{
	bool in_string = false;

	for (size_t i = 0; i < n; i++) {
		if (in_string && (unsigned char)s[i] < 0x20)
			return false;
		if (in_string && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			in_string = !in_string;
	}
	return !in_string && valid_utf8((const unsigned char *)s, n);
}

static void print_all(const struct report *r)
{
	static const enum format formats[] = {FORMAT_TEXT, FORMAT_JSON, FORMAT_JSON1, FORMAT_TAP};

	/* Every format, in full and problems-only (--problems). */
	for (size_t k = 0; k < 2 * sizeof(formats) / sizeof(formats[0]); k++) {
		enum format format = formats[k / 2];
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		bool ok;

		if (!out)
			abort();
		report_print(r, format, false, k % 2, out);
		fclose(out);
		ok = format == FORMAT_JSON || format == FORMAT_JSON1 ? well_formed_json(buf, len)
		     : format == FORMAT_TAP                          ? well_formed_tap(buf, len)
								     : printable(buf, len);
		if (!ok) {
			fprintf(stderr, "malformed output, format %d:\n%.*s\n", (int)format,
				(int)len, buf);
			abort();
		}
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part = data, *end = data + size;
	bool present[N_PARTS] = {false};
	struct ldso ld;
	struct object *plugin = NULL;
	struct process p;
	struct report report = {0};
	struct waivers ws = {0};
	struct context ctx;
	char err[8192];
	char *plugin_arg = paths[PLUGIN];

	for (int i = 0; i < N_PARTS && part <= end; i++) {
		const uint8_t *next = memmem(part, (size_t)(end - part), SPLIT, sizeof(SPLIT) - 1);
		size_t len = next ? (size_t)(next - part) : (size_t)(end - part);

		unlink(paths[i]);
		present[i] = write_part(i, part, len);
		part = next ? next + sizeof(SPLIT) - 1 : end + 1;
	}
	for (int i = 0; i < N_PARTS; i++)
		if (!present[i])
			unlink(paths[i]);

	if (ldso_init_with(&ld, NULL, system_dirs) != 0) {
		ldso_free(&ld);
		return 0;
	}
	ctx = (struct context){.ld = &ld,
			       .p = &p,
			       .shim_arg = paths[SHIM],
			       .host_arg = paths[HOST]};
	if (present[SHIM])
		ctx.shim = ldso_open(&ld, paths[SHIM], err, sizeof(err));
	if (present[HOST])
		ctx.host = ldso_open(&ld, paths[HOST], err, sizeof(err));
	plugin = ldso_open(&ld, paths[PLUGIN], err, sizeof(err));
	if (present[WAIVERS] && waivers_load(paths[WAIVERS], &ws, err, sizeof(err)) != 0)
		memset(&ws, 0, sizeof(ws));
	if (plugin || ctx.shim || ctx.host) {
		run_checks(&ctx, &plugin, &plugin_arg, plugin ? 1 : 0, &report);
		waivers_apply(&ws, &report);
		print_all(&report);
		report_exit_status(&report, true);
		process_free(&p);
	}
	report_free(&report);
	waivers_free(&ws);
	ldso_free(&ld);
	return 0;
}
