/*
 * plugkit new.  Everything is decided before anything is written: a bad
 * name, an unknown host or a file in the way leaves the directory exactly
 * as it was.
 */
#include "scaffold.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fileout.h"
#include "spawn.h"
#include "subst.h"
#include "templates.h"
#include "xalloc.h"

static bool is_package_name(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.+", *s))
			return false;
	return true;
}

/* `pkg-config --variable=VAR PKG` into out; false when it fails or is empty. */
static bool pkg_config_variable(const char *pkg, const char *var, char *out, size_t outlen)
{
	char arg[128];
	char *argv[] = {"pkg-config", arg, (char *)pkg, NULL};
	int signal;

	snprintf(arg, sizeof(arg), "--variable=%s", var);
	return run_child(argv, out, outlen, &signal) == 0 && out[0];
}

static void upper(const char *s, char *out, size_t outlen)
{
	size_t i = 0;

	for (; s[i] && i + 1 < outlen; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

/* A plugin's skeleton needs the host's C prefix and entry symbol, from the
 * variables a plugkit host puts in its -plugin.pc. */
static int host_names(const char *host, char *prefix, char *entry, size_t len)
{
	char pkg[256];

	if (!is_package_name(host)) {
		fprintf(stderr, "plugkit new: '%s' is not a pkg-config package name\n", host);
		return 2;
	}
	snprintf(pkg, sizeof(pkg), "%s-plugin", host);
	if (!pkg_config_variable(pkg, "plugin_prefix", prefix, len) ||
	    !pkg_config_variable(pkg, "plugin_entry", entry, len)) {
		fprintf(stderr, "plugkit new: pkg-config knows no %s with plugin_prefix and "
			"plugin_entry: install the host (made by plugkit new host), or point "
			"PKG_CONFIG_PATH at its .pc files\n", pkg);
		return 2;
	}
	if (!is_identifier(prefix) || !is_identifier(entry)) {
		fprintf(stderr, "plugkit new: %s.pc: plugin_prefix and plugin_entry must be C "
			"identifiers\n", pkg);
		return 2;
	}
	return 0;
}

int scaffold(const struct scaffold_opts *o)
{
	const struct scaffold_file *files = strcmp(o->kind, "host") == 0 ? scaffold_host : scaffold_plugin;
	bool rust = o->lang && strcmp(o->lang, "rust") == 0;
	char name_upper[80], prefix[128] = "", prefix_upper[128], entry[128] = "";
	const char *dir = o->dir ? o->dir : o->name;
	size_t n = 0, conflicts = 0;
	char **paths, **texts;
	int rc = 0;

	/* Names become C identifiers, file names and Meson target names. */
	if (!is_identifier(o->name) || strlen(o->name) > 64) {
		fprintf(stderr, "plugkit new: '%s' is not a C identifier (letters, digits and _, "
			"not starting with a digit, at most 64)\n", o->name);
		return 2;
	}
	if (files == scaffold_plugin && (rc = host_names(o->host, prefix, entry, sizeof(prefix))) != 0)
		return rc;
	/* --lang rust: a Cargo project for the same host. */
	if (rust)
		files = scaffold_plugin_rust;
	upper(o->name, name_upper, sizeof(name_upper));
	upper(prefix, prefix_upper, sizeof(prefix_upper));
	const struct subst subs[] = {
		{"@NAME@", o->name}, {"@UPPER@", name_upper},
		{"@HOST@", o->host ? o->host : ""}, {"@PREFIX@", prefix},
		{"@PREFIX_UPPER@", prefix_upper}, {"@ENTRY@", entry},
		{"@VERSION@", PLUGKIT_VERSION}, {"@PLUGKIT_URL@", o->plugkit_url},
		{NULL, NULL},
	};

	while (files[n].path)
		n++;
	paths = xmalloc(n * sizeof(*paths));
	texts = xmalloc(n * sizeof(*texts));
	for (size_t i = 0; i < n; i++) {
		char *rel = expand(files[i].path, subs);
		struct stat st;

		paths[i] = xmalloc(strlen(dir) + strlen(rel) + 2);
		sprintf(paths[i], "%s/%s", dir, rel);
		free(rel);
		texts[i] = expand(files[i].text, subs);
		if (lstat(paths[i], &st) == 0 && (!o->force || S_ISDIR(st.st_mode))) {
			fprintf(stderr, "plugkit new: %s already exists\n", paths[i]);
			conflicts++;
		}
	}
	if (conflicts) {
		fprintf(stderr, "plugkit new: nothing written%s\n",
			o->force ? "" : " (--force overwrites files)");
		rc = 2;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (o->dry_run) {
			printf("would write %s\n", paths[i]);
		} else if (write_file_atomic(paths[i], texts[i], 0644) != 0) {
			fprintf(stderr, "plugkit new: %s: %s\n", paths[i], strerror(errno));
			rc = 1;
		} else {
			printf("wrote %s\n", paths[i]);
		}
	}
	if (rc == 0 && !o->dry_run)
		printf("\nNext: cd %s && %s\n", dir, rust ? "cargo build --offline && cargo test --offline"
							  : "meson setup build && meson test -C build");
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		free(texts[i]);
	}
	free(paths);
	free(texts);
	return rc;
}

/* ---- command line ---- */

void usage_new(FILE *out)
{
	fputs("Usage: plugkit new host NAME [--dir DIR] [--plugkit-url URL] [--force] [--dry-run]\n"
	      "       plugkit new plugin NAME --host PKG [--lang rust] [--dir DIR] [--force] [--dry-run]\n"
	      "Writes a complete Meson project into DIR (default ./NAME).\n"
	      "\n"
	      "host:   lib<NAME>.so.1 with jemalloc inside and its allocator exported through\n"
	      "        plugkit's version script, the <NAME> shim, <NAME>.pc and <NAME>-plugin.pc,\n"
	      "        an example plugin, tests (cmocka and plugkit check), a README, a CI\n"
	      "        workflow and subprojects/plugkit.wrap.\n"
	      "plugin: a plugin for the host whose PKG-plugin.pc pkg-config finds: meson.build,\n"
	      "        the source with the host's entry point, a cmocka test that loads it,\n"
	      "        plugkit check as a test, a README and a CI workflow.  With --lang rust,\n"
	      "        a Cargo project (std only): build.rs takes the host's flags from\n"
	      "        pkg-config, and its test loads it through the host and runs plugkit check.\n"
	      "\n"
	      "  --host PKG         the host's pkg-config name (plugin only)\n"
	      "  --lang rust        write the plugin as a Cargo project\n"
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

int cmd_new(int argc, char **argv)
{
	static const struct option options[] = {
		{"host", required_argument, NULL, 'H'},
		{"dir", required_argument, NULL, 'd'},
		{"lang", required_argument, NULL, 'l'},
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
		case 'l': o.lang = optarg; break;
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
	if (o.lang && (strcmp(o.lang, "rust") != 0 || !o.host)) {
		fprintf(stderr, "plugkit new: --lang takes 'rust', for a plugin\n");
		return 2;
	}
	return scaffold(&o);
}
