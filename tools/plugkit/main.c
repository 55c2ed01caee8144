/* plugkit: the command line. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "generate.h"
#include "ldso.h"
#include "report.h"
#include "rpath.h"
#include "scaffold.h"
#include "scan.h"
#include "waiver.h"

static void usage_main(FILE *out)
{
	fputs("Usage: plugkit COMMAND [ARGS...]\n"
	      "Makes plugin linking on Linux correct, and checks it.\n"
	      "\n"
	      "Commands:\n"
	      "  check   judge a host and its plugins against the plugin-linking contract\n"
	      "  scan    list what the loader sees in ELF files (SONAME, NEEDED, RUNPATH, flags)\n"
	      "  rpath   point installed files' DT_RUNPATH at a library directory, $ORIGIN-relative\n"
	      "  new     write a new host project, or a new plugin project for a host\n"
	      "  generate  write a host's version script or shim (for its meson.build)\n"
	      "  help    show help for a command\n"
	      "\n"
	      "  -h, --help     show this help\n"
	      "  -V, --version  show the version\n"
	      "\n"
	      "Run 'plugkit help COMMAND' for a command's options.\n",
	      out);
}

static void usage_check(FILE *out)
{
	fputs("Usage: plugkit check [--shim EXE] [--host LIB] [--format text|json|tap]\n"
	      "                     [--strict] [--waivers FILE] [--entry GLOB]... [--] PLUGIN...\n"
	      "Simulates glibc's ld.so on the shim (or the host alone) and on each plugin's\n"
	      "dlopen, then judges every file against the plugin-linking contract.\n"
	      "\n"
	      "  --shim EXE        the program's executable (start-up scope)\n"
	      "  --host LIB        the host library that plugins link against\n"
	      "  --format FMT      text (default), json, or tap (TAP 13, for meson test)\n"
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

static void usage_scan(FILE *out)
{
	fputs("Usage: plugkit scan [-R] PATH...\n"
	      "One line per ELF file: type, SONAME, DT_NEEDED, DT_RPATH/DT_RUNPATH, and\n"
	      "static-tls=BYTES, textrel, execstack or wx when the file has them.\n"
	      "Files that are not ELF are passed over.\n"
	      "\n"
	      "  -R, --recursive  scan directories, without following symlinks\n"
	      "\n"
	      "Exit status: 0, 1 when an ELF file is broken, 2 on a usage error or a\n"
	      "PATH that does not exist.\n",
	      out);
}

static int cmd_scan(int argc, char **argv)
{
	static const struct option options[] = {
		{"recursive", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool recursive = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "Rh", options, NULL)) != -1) {
		switch (opt) {
		case 'R':
			recursive = true;
			break;
		case 'h':
			usage_scan(stdout);
			return 0;
		default:
			fputs("Try 'plugkit help scan'.\n", stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs("plugkit scan: no PATH given\nTry 'plugkit help scan'.\n", stderr);
		return 2;
	}
	return scan_paths(argv + optind, (size_t)(argc - optind), recursive);
}

static void usage_rpath(FILE *out)
{
	fputs("Usage: plugkit rpath --libdir DIR [--destdir DIR] [--dry-run] FILE...\n"
	      "       plugkit rpath --meson --libdir DIR FILE...   (from meson.add_install_script)\n"
	      "Sets each installed FILE's DT_RUNPATH to the $ORIGIN-relative path that\n"
	      "reaches DIR, with patchelf ($PLUGKIT_PATCHELF, else patchelf on PATH).\n"
	      "The file is patched as a copy beside it, read back, judged by the\n"
	      "search-path rules and only then renamed over the original, mode kept.\n"
	      "Running it twice changes nothing.  Files in a Meson build directory\n"
	      "are refused: meson install rewrites those itself.\n"
	      "\n"
	      "  --libdir DIR   the directory the files must reach, as installed\n"
	      "  --destdir DIR  the files sit under this staging root (DESTDIR)\n"
	      "  --meson        take DESTDIR and MESON_INSTALL_PREFIX from Meson's install\n"
	      "                 environment; relative FILEs and DIR are inside the prefix\n"
	      "  --dry-run      say what would change, change nothing\n"
	      "\n"
	      "Exit status: 0 done, 1 a file could not be patched (it is unchanged),\n"
	      "2 usage error or a FILE that is not ELF.\n",
	      out);
}

static int cmd_rpath(int argc, char **argv)
{
	static const struct option options[] = {
		{"libdir", required_argument, NULL, 'l'},
		{"destdir", required_argument, NULL, 'd'},
		{"meson", no_argument, NULL, 'm'},
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rpath_opts o = {0};
	char libdir[PATH_MAX];
	const char *prefix = NULL;
	bool meson = false;
	int opt, status = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'l': o.libdir = optarg; break;
		case 'd': o.destdir = optarg; break;
		case 'm': meson = true; break;
		case 'n': o.dry_run = true; break;
		case 'h':
			usage_rpath(stdout);
			return 0;
		default:
			fputs("Try 'plugkit help rpath'.\n", stderr);
			return 2;
		}
	}
	if (!o.libdir || optind == argc) {
		fputs("plugkit rpath: give --libdir and at least one FILE\nTry 'plugkit help rpath'.\n", stderr);
		return 2;
	}
	if (meson) {
		prefix = getenv("MESON_INSTALL_PREFIX");
		if (!prefix || prefix[0] != '/') {
			fputs("plugkit rpath: --meson needs MESON_INSTALL_PREFIX (run it from "
			      "meson.add_install_script)\n", stderr);
			return 2;
		}
		o.destdir = getenv("DESTDIR");
		if (o.libdir[0] != '/') {
			snprintf(libdir, sizeof(libdir), "%s/%s", prefix, o.libdir);
			o.libdir = libdir;
		}
	}
	for (int i = optind; i < argc; i++) {
		char file[PATH_MAX * 2];
		int rc;

		if (meson && argv[i][0] != '/')
			snprintf(file, sizeof(file), "%s%s/%s", o.destdir ? o.destdir : "", prefix, argv[i]);
		else if (meson)
			snprintf(file, sizeof(file), "%s%s", o.destdir ? o.destdir : "", argv[i]);
		else
			snprintf(file, sizeof(file), "%s", argv[i]);
		rc = rpath_fix(&o, file);
		if (rc > status)
			status = rc;
	}
	return status;
}

static void usage_new(FILE *out)
{
	fputs("Usage: plugkit new host NAME [--dir DIR] [--plugkit-url URL] [--force] [--dry-run]\n"
	      "       plugkit new plugin NAME --host PKG [--dir DIR] [--force] [--dry-run]\n"
	      "Writes a complete Meson project into DIR (default ./NAME).\n"
	      "\n"
	      "host:   lib<NAME>.so.1 with jemalloc inside and its allocator exported through\n"
	      "        plugkit's version script, the <NAME> shim, <NAME>.pc and <NAME>-plugin.pc,\n"
	      "        an example plugin, tests (cmocka and plugkit check), a README, a CI\n"
	      "        workflow and subprojects/plugkit.wrap.\n"
	      "plugin: a plugin for the host whose PKG-plugin.pc pkg-config finds: meson.build,\n"
	      "        the source with the host's entry point, a cmocka test that loads it,\n"
	      "        plugkit check as a test, a README and a CI workflow.\n"
	      "\n"
	      "  --host PKG         the host's pkg-config name (plugin only)\n"
	      "  --dir DIR          where to write (default ./NAME)\n"
	      "  --plugkit-url URL  the git URL in the host's plugkit.wrap\n"
	      "  --force            overwrite files that exist\n"
	      "  --dry-run          list what would be written, write nothing\n"
	      "\n"
	      "NAME must be a C identifier.  Nothing is written when anything is wrong.\n"
	      "Exit status: 0 written, 1 a write failed, 2 usage error, bad name,\n"
	      "unknown host or an existing file.\n",
	      out);
}

static int cmd_new(int argc, char **argv)
{
	static const struct option options[] = {
		{"host", required_argument, NULL, 'H'},
		{"dir", required_argument, NULL, 'd'},
		{"plugkit-url", required_argument, NULL, 'u'},
		{"force", no_argument, NULL, 'f'},
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct scaffold_opts o = {.plugkit_url = "https://REPLACE-WITH-YOUR-PLUGKIT-GIT-URL"};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'H': o.host = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'u': o.plugkit_url = optarg; break;
		case 'f': o.force = true; break;
		case 'n': o.dry_run = true; break;
		case 'h':
			usage_new(stdout);
			return 0;
		default:
			fputs("Try 'plugkit help new'.\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || (strcmp(argv[optind], "host") != 0 && strcmp(argv[optind], "plugin") != 0)) {
		fputs("plugkit new: say 'host NAME' or 'plugin NAME --host PKG'\nTry 'plugkit help new'.\n",
		      stderr);
		return 2;
	}
	o.kind = argv[optind];
	o.name = argv[optind + 1];
	if ((strcmp(o.kind, "plugin") == 0) != (o.host != NULL)) {
		fprintf(stderr, "plugkit new: --host goes with 'plugin', and only there\n");
		return 2;
	}
	return scaffold(&o);
}

static void usage_generate(FILE *out)
{
	fputs("Usage: plugkit generate version-script --output FILE SYMBOL...\n"
	      "       plugkit generate shim --entry FUNCTION --output FILE\n"
	      "version-script: one anonymous node exporting SYMBOLs (names or ld globs)\n"
	      "                unversioned, everything else local: the allocator set plus\n"
	      "                the host's API.  List only what the host defines.\n"
	      "shim:           a main() that calls FUNCTION(argc, argv) and nothing else.\n"
	      "From Meson: custom_target(command: [find_program('plugkit'), 'generate', ...]),\n"
	      "the same whether plugkit is installed or a subproject.\n",
	      out);
}

static int cmd_generate(int argc, char **argv)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"entry", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL, *entry = NULL;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'o': output = optarg; break;
		case 'e': entry = optarg; break;
		case 'h':
			usage_generate(stdout);
			return 0;
		default:
			fputs("Try 'plugkit help generate'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "version-script") == 0 && output && !entry &&
	    optind + 1 < argc)
		return generate_version_script(output, argv + optind + 1, (size_t)(argc - optind - 1));
	if (optind + 1 == argc && strcmp(argv[optind], "shim") == 0 && output && entry)
		return generate_shim(output, entry);
	fputs("plugkit generate: say 'version-script --output FILE SYMBOL...' or "
	      "'shim --entry FUNCTION --output FILE'\nTry 'plugkit help generate'.\n", stderr);
	return 2;
}

struct check_opts {
	const char *shim, *host, *waivers;
	enum format format;
	bool strict;
	int color;              /* -1 auto, 0 never, 1 always */
	char **entries;
	size_t n_entries;
};

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
		case 'e': o->entries[o->n_entries++] = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else if (strcmp(optarg, "tap") == 0)
				o->format = FORMAT_TAP;
			else {
				fprintf(stderr, "plugkit check: unknown format '%s' (text, json or tap)\n",
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
				fprintf(stderr, "plugkit check: --color takes auto, always or never\n");
				return 2;
			}
			break;
		case 'h':
			usage_check(stdout);
			return 0;
		default:
			fputs("Try 'plugkit help check'.\n", stderr);
			return 2;
		}
	}
	if (optind == argc && !o->shim && !o->host) {
		fputs("plugkit check: nothing to check: give PLUGIN files, --shim or --host\n"
		      "Try 'plugkit help check'.\n", stderr);
		return 2;
	}
	return -1;
}

static struct object *open_input(struct ldso *ld, const char *path, int *status)
{
	char err[PATH_MAX + 256];
	struct object *obj = ldso_open(ld, path, err, sizeof(err));

	if (!obj) {
		fprintf(stderr, "plugkit check: %s\n", err);
		*status = 2;
	}
	return obj;
}

static int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	struct waivers ws = {0};
	struct object **plugins = NULL;
	struct report report = {0};
	struct process p;
	struct ldso ld;
	struct context ctx;
	char err[PATH_MAX + 256];
	int status = parse_check(argc, argv, &o), n;

	if (status >= 0) {
		free(o.entries);
		return status;
	}
	status = 0;
	if (o.waivers && waivers_load(o.waivers, &ws, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit check: %s\n", err);
		free(o.entries);
		return 2;
	}
	ldso_init(&ld);
	ctx = (struct context){.ld = &ld, .p = &p, .shim_arg = o.shim, .host_arg = o.host,
			       .entries = o.entries, .n_entries = o.n_entries};
	if (o.shim)
		ctx.shim = open_input(&ld, o.shim, &status);
	if (o.host)
		ctx.host = open_input(&ld, o.host, &status);
	n = argc - optind;
	plugins = calloc((size_t)n + 1, sizeof(*plugins));
	for (int i = 0; plugins && i < n; i++)
		plugins[i] = open_input(&ld, argv[optind + i], &status);
	if (!plugins) {
		perror("plugkit check");
		status = 2;
	}
	if (status == 0) {
		run_checks(&ctx, plugins, argv + optind, (size_t)n, &report);
		waivers_apply(&ws, &report);
		report_print(&report, o.format,
			     o.format == FORMAT_TEXT &&
				     (o.color == 1 || (o.color < 0 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"))),
			     stdout);
		status = report_exit_status(&report, o.strict);
		process_free(&p);
	}
	report_free(&report);
	waivers_free(&ws);
	free(plugins);
	free(o.entries);
	ldso_free(&ld);
	return status;
}

/* The commands, with their help and what runs them. */
static const struct command {
	const char *name;
	void (*usage)(FILE *out);
	int (*run)(int argc, char **argv);
} commands[] = {
	{"check", usage_check, cmd_check},
	{"scan", usage_scan, cmd_scan},
	{"rpath", usage_rpath, cmd_rpath},
	{"new", usage_new, cmd_new},
	{"generate", usage_generate, cmd_generate},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage_main(stdout);
		return 0;
	}
	if (!(c = find_command(argv[1]))) {
		fprintf(stderr, "plugkit help: no command '%s'\n", argv[1]);
		return 2;
	}
	c->usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage_main(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(1, argv);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("plugkit %s\n", PLUGKIT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (!(c = find_command(argv[1]))) {
		fprintf(stderr, "plugkit: unknown command '%s'\nTry 'plugkit --help'.\n", argv[1]);
		return 2;
	}
	return c->run(argc - 1, argv + 1);
}
