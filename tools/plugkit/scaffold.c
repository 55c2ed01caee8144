/*
 * plugkit new.  Everything is decided before anything is written, and the
 * writing is all or nothing: a bad name, an unknown host, a file in the way
 * or a disk that fills up leaves the directory exactly as it was.
 */
#include "scaffold.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
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

/* The skeletons, by kind and language. */
static const struct skeleton {
	const char *kind, *lang;
	const struct scaffold_file *files;
} skeletons[] = {
	{"host", "c", scaffold_host},
	{"plugin", "c", scaffold_plugin},
	{"plugin", "cpp", scaffold_plugin_cpp},
	/* A Cargo project (std only) for the same host. */
	{"plugin", "rust", scaffold_plugin_rust},
};

static const struct scaffold_file *find_skeleton(const char *kind, const char *lang)
{
	for (size_t i = 0; i < sizeof(skeletons) / sizeof(skeletons[0]); i++)
		if (strcmp(skeletons[i].kind, kind) == 0 && strcmp(skeletons[i].lang, lang) == 0)
			return skeletons[i].files;
	return NULL;
}

/*
 * A name becomes a C identifier, a file name and a Meson variable and
 * target.  These words would break the generated project: C and C++
 * keywords (C23's and the alternative tokens included), and Meson's
 * keywords and built-in objects.  The identifiers and headers the templates
 * themselves use are in scaffold_reserved (embed.py collects them).
 */
static const char *const keywords[] = {
	/* C17 and C23 */
	"alignas",
	"alignof",
	"auto",
	"bool",
	"break",
	"case",
	"char",
	"const",
	"constexpr",
	"continue",
	"default",
	"do",
	"double",
	"else",
	"enum",
	"extern",
	"false",
	"float",
	"for",
	"goto",
	"if",
	"inline",
	"int",
	"long",
	"nullptr",
	"register",
	"restrict",
	"return",
	"short",
	"signed",
	"sizeof",
	"static",
	"static_assert",
	"struct",
	"switch",
	"thread_local",
	"true",
	"typedef",
	"typeof",
	"typeof_unqual",
	"union",
	"unsigned",
	"void",
	"volatile",
	"while",
	/* C++ on top */
	"and",
	"and_eq",
	"asm",
	"bitand",
	"bitor",
	"catch",
	"char8_t",
	"char16_t",
	"char32_t",
	"class",
	"co_await",
	"co_return",
	"co_yield",
	"compl",
	"concept",
	"consteval",
	"constinit",
	"const_cast",
	"decltype",
	"delete",
	"dynamic_cast",
	"explicit",
	"export",
	"friend",
	"mutable",
	"namespace",
	"new",
	"noexcept",
	"not",
	"not_eq",
	"operator",
	"or",
	"or_eq",
	"private",
	"protected",
	"public",
	"reinterpret_cast",
	"requires",
	"static_cast",
	"template",
	"this",
	"throw",
	"try",
	"typeid",
	"typename",
	"using",
	"virtual",
	"wchar_t",
	"xor",
	"xor_eq",
	/* Meson */
	"elif",
	"endforeach",
	"endif",
	"foreach",
	"in",
	"meson",
	"build_machine",
	"host_machine",
	"target_machine",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && strcmp(list[i], name) == 0)
			return true;
	return false;
}

static bool is_reserved(const char *name)
{
	size_t n = 0;

	while (scaffold_reserved[n])
		n++;
	return in_list(name, keywords, sizeof(keywords) / sizeof(keywords[0])) ||
	       in_list(name, scaffold_reserved, n);
}

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
 * variables a plugkit host puts in its -plugin.pc; or, for a host that is
 * not installed but fetched (--host-url), what plugkit new host names them:
 * HOST and HOST_plugin. */
static int host_names(const char *host, bool fetched, char *prefix, char *entry, size_t len)
{
	static const char suffix[] = "-plugin";
	char pkg[256], tail[256], scratch[128];
	size_t n = strlen(host);

	if (!is_package_name(host) || n + sizeof(suffix) > sizeof(pkg)) {
		fprintf(stderr, "plugkit new: '%s' is not a pkg-config package name\n", host);
		return 2;
	}
	snprintf(pkg, sizeof(pkg), "%s%s", host, suffix);
	if (fetched && is_identifier(host) && n + sizeof("_plugin") <= len &&
	    !pkg_config_variable(pkg, "plugin_prefix", prefix, len)) {
		snprintf(prefix, len, "%s", host);
		snprintf(entry, len, "%s_plugin", host);
		return 0;
	}
	if (!pkg_config_variable(pkg, "plugin_prefix", prefix, len) ||
	    !pkg_config_variable(pkg, "plugin_entry", entry, len)) {
		fprintf(stderr,
			"plugkit new: pkg-config knows no %s with plugin_prefix and "
			"plugin_entry: install the host (made by plugkit new host), or point "
			"PKG_CONFIG_PATH at its .pc files\n",
			pkg);
		/* --host names the host, not its -plugin package. */
		snprintf(tail, sizeof(tail), "%.*s", (int)(n - (sizeof(suffix) - 1)), host);
		if (n > sizeof(suffix) - 1 &&
		    strcmp(host + n - (sizeof(suffix) - 1), suffix) == 0 &&
		    pkg_config_variable(host, "plugin_entry", scratch, sizeof(scratch)))
			fprintf(stderr, "plugkit new: did you mean --host %s?\n", tail);
		return 2;
	}
	if (!is_identifier(prefix) || !is_identifier(entry)) {
		fprintf(stderr,
			"plugkit new: %s.pc: plugin_prefix and plugin_entry must be C "
			"identifiers\n",
			pkg);
		return 2;
	}
	return 0;
}

/* ---- writing, all or nothing ---- */

/* A new string from a printf format; no memory ends plugkit, as xmalloc. */
__attribute__((format(printf, 1, 2))) static char *format(const char *fmt, ...)
{
	va_list ap;
	char *text;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		perror("plugkit new");
		exit(2);
	}
	return text;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* What publishing changed in an existing directory, to undo it. */
struct undo {
	char **paths;   /* created files and directories, in order */
	char **backups; /* for each path: where the file it replaced waits, or NULL */
	size_t n;
};

static void undo_push(struct undo *u, const char *path, const char *backup)
{
	u->paths = xrealloc(u->paths, (u->n + 1) * sizeof(*u->paths));
	u->backups = xrealloc(u->backups, (u->n + 1) * sizeof(*u->backups));
	u->paths[u->n] = xstrdup(path);
	u->backups[u->n++] = backup ? xstrdup(backup) : NULL;
}

/* Puts back what was there: newest first, so directories are empty when
 * their turn comes. */
static void undo_all(struct undo *u, bool roll_back)
{
	while (u->n--) {
		if (roll_back && u->backups[u->n])
			rename(u->backups[u->n], u->paths[u->n]);
		else if (roll_back)
			remove(u->paths[u->n]);
		free(u->paths[u->n]);
		free(u->backups[u->n]);
	}
	free(u->paths);
	free(u->backups);
}

/* mkdir -p for path's parent directories, each one it makes recorded. */
static int make_parents(const char *path, struct undo *u)
{
	char *dir = xstrdup(path);
	int rc = 0;

	for (char *p = strchr(dir + 1, '/'); p && rc == 0; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) == 0)
			undo_push(u, dir, NULL);
		else if (errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * Writes the n files (relative paths rel[], texts[]) under dir.  All of
 * them go first into a staging directory beside their destination (the
 * same file system, so rename() moves them): a new project directory is
 * then renamed into place whole; into an existing one each file is renamed,
 * and any failure renames back what it replaced and removes what it made.
 */
static int write_project(const char *dir, char *const *rel, char *const *texts, size_t n)
{
	struct stat st;
	struct undo made = {0};
	bool exists = stat(dir, &st) == 0;
	char *stage, *path = NULL, *from = NULL, *old = NULL;
	const char *slash = strrchr(dir, '/');
	int rc = -1, saved;

	if (exists && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (exists)
		stage = format("%s/.plugkit-new-XXXXXX", dir);
	else
		stage = format("%.*s.%s.plugkit-XXXXXX", slash ? (int)(slash - dir + 1) : 0, dir,
			       slash ? slash + 1 : dir);
	if ((!exists && make_parents(stage, &made) != 0) || !mkdtemp(stage))
		goto out;
	/* mkdtemp's 0700 would become the project directory's mode. */
	mode_t mask = umask(0);
	umask(mask);
	if (!exists && chmod(stage, 0777 & ~mask) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		free(path);
		path = format("%s/%s", stage, rel[i]);
		if (write_file_atomic(path, texts[i], 0644) != 0)
			goto out;
	}
	if (!exists) {
		if (rename(stage, dir) == 0)
			rc = 0;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		free(path);
		free(from);
		free(old);
		path = format("%s/%s", dir, rel[i]);
		from = format("%s/%s", stage, rel[i]);
		old = format("%s/.old-%zu", stage, i);
		if (make_parents(path, &made) != 0)
			goto out;
		/* --force: what is replaced waits in the stage until the end. */
		bool replaces = rename(path, old) == 0;
		if (rename(from, path) != 0) {
			if (replaces)
				rename(old, path);
			goto out;
		}
		undo_push(&made, path, replaces ? old : NULL);
	}
	rc = 0;
out:
	saved = errno;
	undo_all(&made, rc != 0);
	remove_tree(stage);
	free(stage);
	free(path);
	free(from);
	free(old);
	errno = saved;
	return rc;
}

int scaffold(const struct scaffold_opts *o)
{
	const struct scaffold_file *files = find_skeleton(o->kind, o->lang);
	char name_upper[80], prefix[128] = "", prefix_upper[128], entry[128] = "";
	const char *dir_arg = o->dir ? o->dir : o->name;
	size_t n = 0, kept = 0, conflicts = 0;
	char *dir;
	char **rel, **texts;
	int rc = 0;

	if (!files) {
		fprintf(stderr,
			"plugkit new: no %s skeleton for --lang %s (a plugin: c, cpp or rust; a "
			"host: c)\n",
			o->kind, o->lang);
		return 2;
	}
	/* Names become C identifiers, file names and Meson target names. */
	if (!is_identifier(o->name) || strlen(o->name) > 64) {
		fprintf(stderr,
			"plugkit new: '%s' is not a C identifier (letters, digits and _, "
			"not starting with a digit, at most 64)\n",
			o->name);
		return 2;
	}
	if (is_reserved(o->name)) {
		fprintf(stderr,
			"plugkit new: '%s' is a C, C++ or Meson keyword, or a name the "
			"generated project uses itself: pick another\n",
			o->name);
		return 2;
	}
	if (!*dir_arg) {
		fputs("plugkit new: --dir is empty: name a directory\n", stderr);
		return 2;
	}
	if (strcmp(o->kind, "plugin") == 0)
		if ((rc = host_names(o->host, o->wrap_url != NULL, prefix, entry,
				     sizeof(prefix))) != 0)
			return rc;
	/* "x/" is the directory x: its staging twin goes beside it, not in it. */
	dir = xstrdup(dir_arg);
	for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/';)
		dir[--len] = '\0';
	upper(o->name, name_upper, sizeof(name_upper));
	upper(prefix, prefix_upper, sizeof(prefix_upper));
	const struct subst subs[] = {
		{"@NAME@", o->name},
		{"@UPPER@", name_upper},
		{"@HOST@", o->host ? o->host : ""},
		{"@PREFIX@", prefix},
		{"@PREFIX_UPPER@", prefix_upper},
		{"@ENTRY@", entry},
		{"@VERSION@", PLUGKIT_VERSION},
		{"@WRAP_URL@", o->wrap_url ? o->wrap_url : ""},
		{"@WRAP_REVISION@", o->wrap_revision},
		{NULL, NULL},
	};

	while (files[n].path)
		n++;
	rel = xmalloc(n * sizeof(*rel));
	texts = xmalloc(n * sizeof(*texts));
	for (size_t i = 0; i < n; i++) {
		char *path;
		struct stat st;

		/* Without a URL there is nothing a wrap could fetch: the project
		 * then takes what is installed, or says what to install. */
		if (!o->wrap_url && strncmp(files[i].path, "subprojects/", 12) == 0)
			continue;
		rel[kept] = expand(files[i].path, subs);
		texts[kept] = expand(files[i].text, subs);
		path = format("%s/%s", dir, rel[kept]);
		if (lstat(path, &st) == 0 && (!o->force || S_ISDIR(st.st_mode))) {
			fprintf(stderr, "plugkit new: %s already exists\n", path);
			conflicts++;
		}
		if (o->dry_run && !conflicts)
			printf("would write %s\n", path);
		free(path);
		kept++;
	}
	if (conflicts) {
		fprintf(stderr, "plugkit new: nothing written%s\n",
			o->force ? "" : " (--force overwrites files)");
		rc = 2;
	} else if (!o->dry_run && write_project(dir, rel, texts, kept) != 0) {
		fprintf(stderr, "plugkit new: %s: %s: nothing written\n", dir, strerror(errno));
		rc = 1;
	} else if (!o->dry_run) {
		for (size_t i = 0; i < kept; i++)
			printf("wrote %s/%s\n", dir, rel[i]);
		printf("\nNext: cd %s && %s\n", dir,
		       strcmp(o->lang, "rust") == 0
			       ? "cargo build --offline && cargo test --offline"
			       : "meson setup build && meson test -C build");
	}
	for (size_t i = 0; i < kept; i++) {
		free(rel[i]);
		free(texts[i]);
	}
	free(rel);
	free(texts);
	free(dir);
	return rc;
}

/* ---- command line ---- */

void usage_new(FILE *out)
{
	fputs("Usage: plugkit new host NAME [--plugkit-url URL [--plugkit-revision REV]]\n"
	      "                             [--dir DIR] [--force] [--dry-run]\n"
	      "       plugkit new plugin NAME --host PKG [--lang c|cpp|rust]\n"
	      "                             [--host-url URL [--host-revision REV]]\n"
	      "                             [--dir DIR] [--force] [--dry-run]\n"
	      "Writes a complete Meson project into DIR (default ./NAME).\n"
	      "\n"
	      "host:   lib<NAME>.so.1 with jemalloc inside and its allocator exported through\n"
	      "        plugkit's version script, the <NAME> shim, <NAME>.pc and <NAME>-plugin.pc,\n"
	      "        an example plugin, tests (cmocka and plugkit check), a README and a CI\n"
	      "        workflow.  It builds with the installed plugkit (pkg-config finds\n"
	      "        plugkit.pc), or, given --plugkit-url, with plugkit as a subproject\n"
	      "        fetched from there (subprojects/plugkit.wrap).\n"
	      "plugin: a plugin for the host whose PKG-plugin.pc pkg-config finds: meson.build,\n"
	      "        the source with the host's entry point, a test that loads it, plugkit\n"
	      "        check as a test, a README and a CI workflow.  It builds against the\n"
	      "        installed host, or, given --host-url, with the host (and through it\n"
	      "        plugkit) as a subproject fetched from there (subprojects/PKG.wrap).\n"
	      "        With --lang cpp, a C++ plugin that exports only its descriptor; its\n"
	      "        test deletes on each side of the boundary what the other made with\n"
	      "        new, counted by the host's allocator.\n"
	      "        With --lang rust, a Cargo project (std only) instead: build.rs takes\n"
	      "        the host's flags from pkg-config, and its test loads the plugin\n"
	      "        through the host and runs plugkit check (docs/rust.md).\n"
	      "\n"
	      "  --host PKG         the host's pkg-config name (plugin only)\n"
	      "  --lang c|cpp|rust  the plugin's language (default c)\n"
	      "  --dir DIR          where to write (default ./NAME)\n"
	      "  --plugkit-url URL  a git URL of plugkit, for the host's subprojects/plugkit.wrap\n"
	      "  --plugkit-revision REV\n"
	      "                     the branch, tag or commit the wrap checks out (default:\n"
	      "                     head, the repository's default branch)\n"
	      "  --host-url URL, --host-revision REV\n"
	      "                     the same for a plugin's subprojects/PKG.wrap: a git URL of\n"
	      "                     the host's project; if pkg-config does not know PKG, it\n"
	      "                     is taken to be made by plugkit new host (its C prefix PKG)\n"
	      "  --force            overwrite files that exist\n"
	      "  --dry-run          list what would be written, write nothing\n"
	      "\n"
	      "NAME must be a C identifier, and not a C, C++ or Meson keyword or a name the\n"
	      "generated project uses itself.  The project is written whole or not at all.\n"
	      "Exit status: 0 written, 1 a write failed (nothing written), 2 usage error, bad\n"
	      "name, unknown host or an existing file.\n",
	      out);
}

int cmd_new(int argc, char **argv)
{
	static const struct option options[] = {
		{"host", required_argument, NULL, 'H'},
		{"lang", required_argument, NULL, 'l'},
		{"dir", required_argument, NULL, 'd'},
		{"plugkit-url", required_argument, NULL, 'u'},
		{"plugkit-revision", required_argument, NULL, 'r'},
		{"host-url", required_argument, NULL, 'U'},
		{"host-revision", required_argument, NULL, 'R'},
		{"force", no_argument, NULL, 'f'},
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct scaffold_opts o = {.lang = "c"};
	const char *plugkit_revision = NULL, *host_url = NULL, *host_revision = NULL;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'H': o.host = optarg; break;
		case 'l': o.lang = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'u': o.wrap_url = optarg; break;
		case 'r': plugkit_revision = optarg; break;
		case 'U': host_url = optarg; break;
		case 'R': host_revision = optarg; break;
		case 'f': o.force = true; break;
		case 'n': o.dry_run = true; break;
		case 'h': usage_new(stdout); return 0;
		default: fputs("Try 'plugkit help new'.\n", stderr); return 2;
		}
	}
	if (argc - optind != 2 ||
	    (strcmp(argv[optind], "host") != 0 && strcmp(argv[optind], "plugin") != 0)) {
		fputs("plugkit new: say 'host NAME' or 'plugin NAME --host PKG'\nTry 'plugkit help new'.\n",
		      stderr);
		return 2;
	}
	o.kind = argv[optind];
	o.name = argv[optind + 1];
	if (strcmp(o.kind, "plugin") == 0 && !o.host) {
		fprintf(stderr,
			"plugkit new plugin: which host? Add --host PKG, the host's "
			"pkg-config name (plugkit new plugin %s --host myhost)\n",
			o.name);
		return 2;
	}
	if (strcmp(o.kind, "host") == 0 && o.host) {
		fputs("plugkit new host: --host is for a plugin, naming its host\n", stderr);
		return 2;
	}
	if (strcmp(o.kind, "plugin") == 0 && (o.wrap_url || plugkit_revision)) {
		fputs("plugkit new plugin: --plugkit-url and --plugkit-revision are for a host "
		      "(a plugin has --host-url)\n",
		      stderr);
		return 2;
	}
	if (strcmp(o.kind, "host") == 0 && (host_url || host_revision)) {
		fputs("plugkit new host: --host-url and --host-revision are for a plugin\n",
		      stderr);
		return 2;
	}
	if ((plugkit_revision && !o.wrap_url) || (host_revision && !host_url)) {
		fputs("plugkit new: --plugkit-revision goes with --plugkit-url, --host-revision with "
		      "--host-url\n",
		      stderr);
		return 2;
	}
	if (host_url)
		o.wrap_url = host_url;
	o.wrap_revision = plugkit_revision ? plugkit_revision
			  : host_revision  ? host_revision
					   : "head";
	return scaffold(&o);
}
