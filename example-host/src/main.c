/* examplehost_main: the program behind the shim. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plugkit.h>

#include "examplehost.h"

/*
 * The default plugin directory sits beside this library, at
 * <libdir>/examplehost/plugins, found from where the library was loaded
 * (dladdr): an installed tree that is moved still finds its plugins.  The
 * configured path is the fallback.
 */
static const char *default_plugin_dir(char *buf, size_t len)
{
	Dl_info info;
	const char *slash;

	if (!dladdr((void *)examplehost_main, &info) || !info.dli_fname ||
	    !(slash = strrchr(info.dli_fname, '/')))
		return EXAMPLEHOST_PLUGINDIR;
	snprintf(buf, len, "%.*s/examplehost/plugins", (int)(slash - info.dli_fname),
		 info.dli_fname);
	return buf;
}

static void usage(FILE *out, const char *default_dir)
{
	fprintf(out,
		"Usage: example-host [--plugin-dir DIR] [--unchecked]\n"
		"Loads every *.so in the plugin directory and shows, by the host\n"
		"allocator's own counters, which heap served each plugin's memory.\n"
		"\n"
		"  -d, --plugin-dir DIR  load plugins from DIR (default: $%s,\n"
		"                        else %s)\n"
		"      --unchecked       load with plain dlopen, without libplugkit's checks\n"
		"                        (to see the failures those checks prevent)\n"
		"  -h, --help            show this help and exit\n"
		"  -V, --version         show the version and exit\n"
		"\n"
		"Exit status: 0 when every plugin loaded and all its memory was on the\n"
		"host heap, 1 when not, 2 on a usage error or an unreadable directory.\n",
		"EXAMPLEHOST_PLUGIN_PATH", default_dir);
}

static int is_plugin_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 && strcmp(d->d_name + n - 3, ".so") == 0;
}

static void print_probe(const struct examplehost_probe *p)
{
	printf("  %-30s %6llu B  alloc: %-17s (+%llu)  free: %s (+%llu)%s\n", p->name,
	       (unsigned long long)p->requested, examplehost_heap_name(p->alloc_heap),
	       (unsigned long long)p->allocated, examplehost_heap_name(p->free_heap),
	       (unsigned long long)p->freed, p->failed ? "  FAILED" : "");
}

static int run_plugin(const char *path, unsigned flags)
{
	struct examplehost_probe probes[EXAMPLEHOST_PROBES];
	struct examplehost_module module;
	char err[PATH_MAX + 256];
	int bad;

	if (examplehost_load(path, flags, &module, err, sizeof(err)) != 0) {
		fprintf(stderr, "example-host: cannot load plugin: %s\n", err);
		return 1;
	}
	printf("plugin %s (%s)\n", module.plugin->name, path);
	bad = examplehost_probe(module.plugin, probes);
	for (int i = 0; i < EXAMPLEHOST_PROBES; i++)
		print_probe(&probes[i]);
	examplehost_unload(&module);
	return bad != 0;
}

/* --unchecked, looked for before getopt runs (getopt may allocate). */
static bool unchecked(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--unchecked") == 0)
			return true;
	return false;
}

int examplehost_main(int argc, char **argv)
{
	static const struct option options[] = {
		{"plugin-dir", required_argument, NULL, 'd'},
		{"unchecked", no_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = getenv("EXAMPLEHOST_PLUGIN_PATH");
	char absdir[PATH_MAX], beside[PATH_MAX];
	struct dirent **names;
	int opt, n, failed = 0;
	unsigned flags = 0;
	struct plugkit_error perr;

	/* Before anything is allocated: is this process's allocator whole? */
	if (!unchecked(argc, argv) && plugkit_verify_process(&perr) != PLUGKIT_OK) {
		fprintf(stderr, "example-host: refusing to run: %s\n", perr.message);
		return 1;
	}
	if (!dir || !*dir)
		dir = default_plugin_dir(beside, sizeof(beside));
	while ((opt = getopt_long(argc, argv, "d:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'u': flags |= EXAMPLEHOST_LOAD_UNCHECKED; break;
		case 'h': usage(stdout, default_plugin_dir(beside, sizeof(beside))); return 0;
		case 'V': printf("example-host %s\n", EXAMPLEHOST_VERSION); return 0;
		default: usage(stderr, default_plugin_dir(beside, sizeof(beside))); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "example-host: unexpected argument '%s'\n", argv[optind]);
		usage(stderr, default_plugin_dir(beside, sizeof(beside)));
		return 2;
	}
	/* Plugins are opened by absolute path only, whatever the user typed. */
	if (!realpath(dir, absdir)) {
		fprintf(stderr, "example-host: plugin directory %s: %s\n", dir, strerror(errno));
		return 2;
	}
	n = scandir(absdir, &names, is_plugin_name, alphasort);
	if (n < 0) {
		fprintf(stderr, "example-host: plugin directory %s: %s\n", absdir, strerror(errno));
		return 2;
	}
	printf("example-host %s, allocator: %s\n", EXAMPLEHOST_VERSION, examplehost_allocator());
	if (n == 0) {
		fprintf(stderr, "example-host: no plugins (*.so) in %s\n", absdir);
		failed = 1;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s/%s", absdir, names[i]->d_name) >=
		    (int)sizeof(path)) {
			fprintf(stderr, "example-host: %s/%s: path too long\n", absdir,
				names[i]->d_name);
			failed = 1;
		} else {
			failed |= run_plugin(path, flags);
		}
		free(names[i]);
	}
	free(names);
	if (failed) {
		printf("some plugin failed, or its memory was NOT on the host heap\n");
	} else if (n > 0) {
		uint64_t a, f;

		if (examplehost_heap_thread_counters(&a, &f) || examplehost_heap_owns(NULL) >= 0)
			printf("every plugin allocation and free went through the host's %s\n",
			       examplehost_allocator());
		else
			printf("every plugin ran; heaps not measured: the allocator is %s\n",
			       examplehost_allocator());
	}
	return failed;
}
