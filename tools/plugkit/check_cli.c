/* plugkit check: the command line of the checklist. */
#include <elf.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "checks.h"
#include "ldso.h"
#include "report.h"
#include "waiver.h"

void usage_check(FILE *out)
{
	fputs("Usage: plugkit check [--shim EXE] [--host LIB|EXE] [--format text|json|tap]\n"
	      "                     [--dlopen-flags now|lazy,local|global] [--problems]\n"
	      "                     [--strict] [--waivers FILE] [--entry GLOB]... [--] PLUGIN...\n"
	      "Simulates glibc's ld.so on the shim (or the host alone) and on each plugin's\n"
	      "dlopen, then judges every file against the plugin-linking contract.\n"
	      "\n"
	      "  --shim EXE        the program's executable (start-up scope)\n"
	      "  --host LIB|EXE    the host: the library that plugins link against, or the\n"
	      "                    executable when it exports the API (perl, python3);\n"
	      "                    a name without a slash (libpam.so.0) is found as ld.so\n"
	      "                    would load it for the shim; with --shim alone, the\n"
	      "                    shim is the host\n"
	      "  --dlopen-flags F  how the host opens plugins: now (default) or lazy, local\n"
	      "                    (default) or global; with global, each plugin joins the\n"
	      "                    global scope for those named after it\n"
	      "  --format FMT      text (default), json, tap (TAP 13, for meson test: on\n"
	      "                    failure the problems go to stderr too, as text), or\n"
	      "                    json1 (the JSON of plugkit 0.1, which said hint for fix)\n"
	      "  --problems        print only failures, warnings, errors and waivers (one\n"
	      "                    line each), then the summary\n"
	      "  --strict          warnings fail too\n"
	      "  --waivers FILE    accept listed exceptions: CHECK-ID FILE-GLOB REASON per line\n"
	      "  --entry GLOB      a plugin entry point; other exports are warned about\n"
	      "  --color WHEN      auto (default), always or never\n"
	      "\n"
	      "Without --shim or --host, checks that need the start-up scope say skip.\n"
	      "Exit status: 0 all checks pass, 1 a check failed, 2 usage error or an input\n"
	      "that cannot be read or parsed.\n"
	      "\n"
	      "Checks:\n",
	      out);
	print_check_list(out);
}

struct check_opts {
	const char *shim, *host, *waivers;
	bool lazy, global, problems;
	enum format format;
	bool strict;
	int color; /* -1 auto, 0 never, 1 always */
	char **entries;
	size_t n_entries;
};

/* "lazy,global", "now", "local,now": RTLD_NOW/RTLD_LAZY, RTLD_LOCAL/RTLD_GLOBAL. */
static int parse_dlopen_flags(const char *arg, struct check_opts *o)
{
	for (const char *s = arg;;) {
		size_t n = strcspn(s, ",");

		if (n == 3 && strncmp(s, "now", n) == 0)
			o->lazy = false;
		else if (n == 4 && strncmp(s, "lazy", n) == 0)
			o->lazy = true;
		else if (n == 5 && strncmp(s, "local", n) == 0)
			o->global = false;
		else if (n == 6 && strncmp(s, "global", n) == 0)
			o->global = true;
		else
			return -1;
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

static int parse_check(int argc, char **argv, struct check_opts *o)
{
	static const struct option options[] = {
		{"shim", required_argument, NULL, 's'},
		{"host", required_argument, NULL, 'H'},
		{"format", required_argument, NULL, 'f'},
		{"strict", no_argument, NULL, 'S'},
		{"waivers", required_argument, NULL, 'w'},
		{"entry", required_argument, NULL, 'e'},
		{"color", required_argument, NULL, 'c'},
		{"dlopen-flags", required_argument, NULL, 'd'},
		{"problems", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->color = -1;
	o->entries = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->entries)
		return 2;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 's': o->shim = optarg; break;
		case 'H': o->host = optarg; break;
		case 'w': o->waivers = optarg; break;
		case 'S': o->strict = true; break;
		case 'p': o->problems = true; break;
		case 'e': o->entries[o->n_entries++] = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else if (strcmp(optarg, "json1") == 0)
				o->format = FORMAT_JSON1;
			else if (strcmp(optarg, "tap") == 0)
				o->format = FORMAT_TAP;
			else {
				fprintf(stderr,
					"plugkit check: unknown format '%s' (text, json, tap or json1)\n",
					optarg);
				return 2;
			}
			break;
		case 'c':
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else {
				fprintf(stderr,
					"plugkit check: --color takes auto, always or never\n");
				return 2;
			}
			break;
		case 'd':
			if (parse_dlopen_flags(optarg, o) != 0) {
				fprintf(stderr,
					"plugkit check: --dlopen-flags takes now or lazy and local "
					"or global, comma-separated, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage_check(stdout); return 0;
		default: fputs("Try 'plugkit help check'.\n", stderr); return 2;
		}
	}
	if (optind == argc && !o->shim && !o->host) {
		fputs("plugkit check: nothing to check: give PLUGIN files, --shim or --host\n"
		      "Try 'plugkit help check'.\n",
		      stderr);
		return 2;
	}
	return -1;
}

/* ---- roles: what each file given to check must be ---- */

/* An executable: ET_EXEC, or ET_DYN marked DF_1_PIE (what ld and lld write
 * for -pie; a shared library that also runs, like libc.so.6, is not). */
static bool is_executable(const struct elf_file *e)
{
	return e->type == ET_EXEC || (e->type == ET_DYN && (e->flags_1 & DF_1_PIE));
}

/* An executable that exports symbols: one that is its own host. */
static bool exports_symbols(const struct elf_file *e)
{
	for (size_t i = 0; i < e->n_dynsym; i++)
		if (elf_sym_defined(&e->dynsym[i]) && e->dynsym[i].bind != STB_LOCAL &&
		    e->dynsym[i].visibility != STV_HIDDEN &&
		    e->dynsym[i].visibility != STV_INTERNAL)
			return true;
	return false;
}

/* What the file is, for a sentence: "a shared library", ... */
static const char *kind(const struct elf_file *e)
{
	if (e->type == ET_EXEC)
		return "an executable";
	if (is_executable(e))
		return "a position-independent executable";
	if (e->type == ET_DYN)
		return e->soname ? "a shared library" : "a shared library without a SONAME";
	return e->type == ET_REL    ? "a relocatable object file (.o)"
	       : e->type == ET_CORE ? "a core dump"
				    : "an ELF file that is neither executable nor library";
}

/*
 * The roles of check's inputs, all decided here: --shim an executable,
 * --host a shared library (or an executable that exports
 * symbols, for a program that is its own host), plugins shared libraries.
 * Prints one sentence and returns false for the first file in a wrong role;
 * a shim and host that fit the other's role are named as swapped.
 */
static bool roles_ok(const struct object *shim, const char *shim_arg, const struct object *host,
		     const char *host_arg, struct object *const *plugins, char *const *plugin_args,
		     size_t n)
{
	bool shim_ok = !shim || is_executable(&shim->elf);
	/* A library without a SONAME is still in its role: the one-host check
	 * says what that costs and how to fix it. */
	bool host_ok = !host || (host->elf.type == ET_DYN && !is_executable(&host->elf)) ||
		       (is_executable(&host->elf) && exports_symbols(&host->elf));

	if (!shim_ok && host && shim->elf.type == ET_DYN && is_executable(&host->elf)) {
		fprintf(stderr,
			"plugkit check: --shim %s is %s and --host %s is %s: the two look "
			"swapped (--shim takes the program, --host the library it links)\n",
			shim_arg, kind(&shim->elf), host_arg, kind(&host->elf));
		return false;
	}
	if (!shim_ok) {
		fprintf(stderr,
			"plugkit check: --shim %s is %s, not an executable: --shim takes the "
			"program that starts the host\n",
			shim_arg, kind(&shim->elf));
		return false;
	}
	if (!host_ok) {
		fprintf(stderr,
			"plugkit check: --host %s is %s, not a shared library (or an "
			"executable that exports symbols): --host takes the library plugins link "
			"against\n",
			host_arg,
			is_executable(&host->elf) ? "an executable that exports no symbols"
						  : kind(&host->elf));
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (plugins[i] && plugins[i]->elf.type != ET_DYN) {
			fprintf(stderr,
				"plugkit check: %s is %s, not a plugin: a plugin is a shared "
				"library\n",
				plugin_args[i], kind(&plugins[i]->elf));
			return false;
		} else if (plugins[i] && is_executable(&plugins[i]->elf)) {
			fprintf(stderr,
				"plugkit check: %s is %s, not a plugin: a plugin is a shared "
				"library that dlopen can load (give the program as --shim)\n",
				plugin_args[i], kind(&plugins[i]->elf));
			return false;
		}
	return true;
}

/* An input that cannot be read is an "error" finding for that file (and
 * exit status 2); the other files are still judged. */
static struct object *open_input(struct ldso *ld, const char *path, struct report *r)
{
	char err[PATH_MAX + 256];
	struct object *obj = ldso_open(ld, path, err, sizeof(err));

	if (!obj) {
		fprintf(stderr, "plugkit check: %s\n", err);
		report_add_error(r, path, err);
	}
	return obj;
}

/*
 * --host given as a name without a slash (libpam.so.0), as ld.so would
 * load it for the shim: what start-up loads under that name or SONAME, then
 * the shim's DT_RPATH/DT_RUNPATH, ld.so.cache and the system directories;
 * without a shim, ld.so.cache and the system directories, taking a file
 * of the first plugin's class and machine.  LD_LIBRARY_PATH is left out as
 * in every other search.  NULL, with one sentence, when nothing answers.
 */
static struct object *find_host(struct ldso *ld, struct object *shim, const char *shim_arg,
				const struct object *like, const char *name)
{
	char *searched;
	struct object *obj = ldso_find(ld, shim, like, name, &searched);

	if (!obj && ld->out_of_memory)
		fputs("plugkit check: out of memory\n", stderr);
	else if (!obj)
		fprintf(stderr,
			"plugkit check: --host %s: no library of that name where ld.so would "
			"look for it%s%s (searched %s)\n",
			name, shim ? " from the shim " : "", shim ? shim_arg : "",
			searched ? searched : "nothing");
	free(searched);
	return obj;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	struct waivers ws = {0};
	struct object **plugins = NULL;
	char **names = NULL;
	struct report report = {0};
	struct process p = {0};
	struct ldso ld;
	struct context ctx;
	char err[PATH_MAX + 256];
	int status = parse_check(argc, argv, &o), n;
	size_t kept = 0;
	bool process_ok = true;

	if (status >= 0) {
		free(o.entries);
		return status;
	}
	if (o.waivers && waivers_load(o.waivers, &ws, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit check: %s\n", err);
		free(o.entries);
		return 2;
	}
	if (ldso_init(&ld) != 0) {
		fputs("plugkit check: out of memory\n", stderr);
		ldso_free(&ld);
		waivers_free(&ws);
		free(o.entries);
		return 2;
	}
	ctx = (struct context){.ld = &ld,
			       .p = &p,
			       .shim_arg = o.shim,
			       .host_arg = o.host,
			       .entries = o.entries,
			       .n_entries = o.n_entries,
			       .dlopen_global = o.global,
			       .dlopen_lazy = o.lazy};
	if (o.shim && !(ctx.shim = open_input(&ld, o.shim, &report)))
		process_ok = false;
	if (o.host && strchr(o.host, '/') && !(ctx.host = open_input(&ld, o.host, &report)))
		process_ok = false;
	n = argc - optind;
	plugins = calloc((size_t)n + 1, sizeof(*plugins));
	names = calloc((size_t)n + 1, sizeof(*names));
	if (!plugins || !names) {
		perror("plugkit check");
		status = 2;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		size_t parsed = ld.n_objects;
		struct object *obj = open_input(&ld, argv[optind + i], &report);
		bool seen = false;

		/* One file reached by several names (symlinks, hard links) is
		 * judged once, under the first name given.  Only a file parsed
		 * before can be one of them: thousands of plugins are not each
		 * compared with all the others. */
		for (size_t k = 0; obj && ld.n_objects == parsed && k < kept; k++)
			seen |= plugins[k] == obj;
		if (obj && !seen) {
			plugins[kept] = obj;
			names[kept++] = argv[optind + i];
		}
	}
	/* A shim that cannot be read has already stopped the checks. */
	if (o.host && !strchr(o.host, '/') && (ctx.shim || !o.shim) &&
	    !(ctx.host = find_host(&ld, ctx.shim, o.shim, kept ? plugins[0] : NULL, o.host))) {
		status = 2;
		goto out;
	}
	if (!roles_ok(ctx.shim, o.shim, ctx.host, o.host, plugins, names, kept)) {
		status = 2;
		goto out;
	}
	report.skip_pass_notes = o.format != FORMAT_JSON;
	/* ld.so simulated without memory would be a wrong verdict; without
	 * the process it asked for, no plugin can be judged fairly. */
	if (ld.out_of_memory ||
	    (process_ok && run_checks(&ctx, plugins, names, kept, &report) != 0)) {
		fputs("plugkit check: out of memory\n", stderr);
		status = 2;
		goto out;
	}
	waivers_apply(&ws, &report);
	report_print(&report, o.format,
		     o.format == FORMAT_TEXT &&
			     (o.color == 1 ||
			      (o.color < 0 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"))),
		     o.problems, stdout);
	status = report_exit_status(&report, o.strict);
	/* meson test shows a failed TAP test's stderr, never its YAML: the
	 * problems' what, why and fix go there too, as text. */
	if (o.format == FORMAT_TAP && status != 0)
		report_print(&report, FORMAT_TEXT, false, true, stderr);
out:
	process_free(&p);
	report_free(&report);
	waivers_free(&ws);
	free(plugins);
	free(names);
	free(o.entries);
	ldso_free(&ld);
	return status;
}
