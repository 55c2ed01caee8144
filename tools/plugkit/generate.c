/* plugkit generate: the version script and the shim a host is built from. */
#include "generate.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "cli.h"
#include "fileout.h"
#include "subst.h"
#include "templates.h"
#include "xalloc.h"

/* "-" is standard output; anything else is replaced whole, and only when
 * it is a regular file or nothing: a symlink would be replaced by a file
 * (its target left stale), and a device (/dev/stdout as root) by a file. */
static int write_out(const char *output, char *text)
{
	const char *what = strcmp(output, "-") == 0 ? NULL : not_regular(output);
	int rc = 0;

	if (what) {
		fprintf(stderr,
			"plugkit generate: %s is %s; --output replaces only a regular file "
			"(use --output - for standard output); nothing written\n",
			output, what);
		rc = 2;
	} else if (strcmp(output, "-") == 0 ? fputs(text, stdout) == EOF || fflush(stdout) != 0
					    : write_file_atomic(output, text, 0644) != 0) {
		fprintf(stderr, "plugkit generate: %s: %s\n", output, strerror(errno));
		rc = 1;
	}
	free(text);
	return rc;
}

/* What a version script may list: C or mangled names and ld's globs. */
static bool is_symbol_pattern(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_*?[]", *s))
			return false;
	return true;
}

/*
 * A C++ glob: a name without a signature, with a wildcard ("myhost::*").
 * ld matches it unquoted; a signature ("myhost::open(char const*)", whose
 * '*' is a pointer) or a plain name is matched exactly, quoted.
 */
static bool is_cxx_glob(const char *s)
{
	return !strchr(s, '(') && strpbrk(s, "*?[");
}

/*
 * A C++ name as a person writes it: it has "::", and ld matches it,
 * demangled, inside an extern "C++" block.  A glob is unquoted, so it may
 * not hold a space.  Nothing that could end the pattern or the block
 * (; " { }) gets through.
 */
static bool is_cxx_pattern(const char *s)
{
	bool glob = is_cxx_glob(s);

	if (!strstr(s, "::") || (glob && strchr(s, ' ')))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_:*?[]<>,()&~ .", *s))
			return false;
	return true;
}

int generate_version_script(const char *output, char *const *symbols, size_t n)
{
	size_t len = 1;
	char *list;

	for (size_t i = 0; i < n; i++) {
		if (!is_symbol_pattern(symbols[i]) && !is_cxx_pattern(symbols[i])) {
			fprintf(stderr,
				"plugkit generate: '%s' is not a symbol name or pattern (C, "
				"mangled, or C++ with '::'; a C++ glob without spaces)\n",
				symbols[i]);
			return 2;
		}
		len += strlen(symbols[i]) + 32;
	}
	list = xmalloc(len);
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *quote = is_cxx_glob(symbols[i]) ? "" : "\"";

		if (is_symbol_pattern(symbols[i]))
			sprintf(list + strlen(list), "%s    %s;", i ? "\n" : "", symbols[i]);
		else
			sprintf(list + strlen(list), "%s    extern \"C++\" { %s%s%s; };",
				i ? "\n" : "", quote, symbols[i], quote);
	}
	const struct subst subs[] = {{"@SYMBOLS@", list}, {NULL, NULL}};
	char *text = expand(template_host_map, subs);

	free(list);
	return write_out(output, text);
}

int generate_shim(const char *output, const char *entry)
{
	static const char head[] = "#define PLUGKIT_HOST_ENTRY ";
	char *text;

	if (!is_identifier(entry)) {
		fprintf(stderr, "plugkit generate: '%s' is not a C identifier\n", entry);
		return 2;
	}
	text = xmalloc(sizeof(head) + strlen(entry) + 1 + strlen(template_shim));
	sprintf(text, "%s%s\n%s", head, entry, template_shim);
	return write_out(output, text);
}

/* The names a host exports for its allocator, from core/allocator.c (the
 * lists templates/meson.build keeps for Meson are tested equal to these):
 * glibc's C set, or the C++ operators in the mangling of this machine's
 * size_t ("m" in LP64, "j" in ILP32). */
static int print_allocator_symbols(const char *kind)
{
	const char *const *const c[] = {allocator_c, NULL};
	const char *const *const cxx[] = {
		allocator_cxx_common,
		sizeof(size_t) == sizeof(unsigned long) ? allocator_cxx_lp64 : allocator_cxx_ilp32,
		NULL,
	};
	const char *const *const *lists = strcmp(kind, "c") == 0     ? c
					  : strcmp(kind, "cxx") == 0 ? cxx
								     : NULL;

	if (!lists) {
		fprintf(stderr, "plugkit generate: allocator-symbols: say 'c' or 'cxx', not '%s'\n",
			kind);
		return 2;
	}
	for (; *lists; lists++)
		for (const char *const *name = *lists; *name; name++)
			printf("%s\n", *name);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- command line ---- */

void usage_generate(FILE *out)
{
	fputs("Usage: plugkit generate version-script --output FILE SYMBOL...\n"
	      "       plugkit generate shim --entry FUNCTION --output FILE\n"
	      "       plugkit generate allocator-symbols c|cxx\n"
	      "version-script: one anonymous node exporting SYMBOLs (names or ld globs)\n"
	      "                unversioned, everything else local: the allocator set plus\n"
	      "                the host's API.  List only what the host defines.  A C++\n"
	      "                name as written in the source goes into an extern \"C++\" block,\n"
	      "                matched demangled: a glob without a signature ('myhost::*')\n"
	      "                as a pattern, a signature ('myhost::f(char const*)') exactly.\n"
	      "                A mangled name (_ZN6myhost1fEi) is listed as it is.\n"
	      "shim:           a main() that calls FUNCTION(argc, argv) and nothing else.\n"
	      "allocator-symbols: the allocator's C functions, or its C++ operators new and\n"
	      "                delete for this machine, one a line: what the host exports.\n"
	      "--output - writes to standard output.  Otherwise FILE is written beside\n"
	      "and renamed into place, and only a regular file is replaced: a symbolic\n"
	      "link, directory, device or FIFO is refused (exit 2) and left as it is.\n"
	      "From Meson: custom_target(command: [find_program('plugkit'), 'generate', ...]),\n"
	      "the same whether plugkit is installed or a subproject.\n",
	      out);
}

int cmd_generate(int argc, char **argv)
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
		case 'h': usage_generate(stdout); return 0;
		default: fputs("Try 'plugkit help generate'.\n", stderr); return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "version-script") == 0 && output && !entry &&
	    optind + 1 < argc)
		return generate_version_script(output, argv + optind + 1,
					       (size_t)(argc - optind - 1));
	if (optind + 1 == argc && strcmp(argv[optind], "shim") == 0 && output && entry)
		return generate_shim(output, entry);
	if (optind + 2 == argc && strcmp(argv[optind], "allocator-symbols") == 0 && !output &&
	    !entry)
		return print_allocator_symbols(argv[optind + 1]);
	if (optind < argc && strcmp(argv[optind], "shim") == 0 && (!entry || !output)) {
		fprintf(stderr,
			"plugkit generate shim: %s: the shim's main calls the host's entry "
			"point and writes to a file (--entry myhost_main --output FILE)\n",
			!entry && !output ? "--entry and --output are missing"
			: !entry          ? "--entry FUNCTION is missing"
					  : "--output FILE is missing");
		return 2;
	}
	if (optind < argc && strcmp(argv[optind], "version-script") == 0 && !output) {
		fputs("plugkit generate version-script: --output FILE is missing\n", stderr);
		return 2;
	}
	fputs("plugkit generate: say 'version-script --output FILE SYMBOL...', "
	      "'shim --entry FUNCTION --output FILE' or 'allocator-symbols c|cxx'\n"
	      "Try 'plugkit help generate'.\n",
	      stderr);
	return 2;
}
