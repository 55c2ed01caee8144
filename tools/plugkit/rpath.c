/*
 * plugkit rpath.  The file is never written in place: a copy next to it is
 * patched, read back and judged by the search-path rules, and only then
 * renamed over the original.  Whatever fails on the way (patchelf killed,
 * a full disk, a wrong result), the original stays as it was.
 */
#include "rpath.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "cli.h"
#include "fileout.h"
#include "ldso.h"
#include "spawn.h"

/* Lexically normalised absolute path: no ".", "..", or repeated '/'. */
static bool normalize(const char *path, char *out, size_t outlen)
{
	char cwd[PATH_MAX], buf[PATH_MAX * 2];
	size_t len = 0;

	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return false;
		snprintf(buf, sizeof(buf), "%s/%s", cwd, path);
	} else {
		snprintf(buf, sizeof(buf), "%s", path);
	}
	out[0] = '\0';
	for (char *save = NULL, *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			char *slash = strrchr(out, '/');

			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len + strlen(part) + 2 > outlen)
			return false;
		len += (size_t)snprintf(out + len, outlen - len, "/%s", part);
	}
	if (len == 0)
		snprintf(out, outlen, "/");
	return true;
}

/* "$ORIGIN" plus the way from directory from to directory to. */
static void origin_relative(const char *from, const char *to, char *out, size_t outlen)
{
	size_t common = 0, used;

	/* The longest common prefix that ends at a component boundary. */
	for (size_t i = 0;; i++) {
		if ((from[i] == '/' || from[i] == '\0') && (to[i] == '/' || to[i] == '\0'))
			common = i;
		if (from[i] != to[i] || from[i] == '\0')
			break;
	}
	used = (size_t)snprintf(out, outlen, "$ORIGIN");
	for (const char *p = from + common; *p && used < outlen; p++)
		if (*p == '/')
			used += (size_t)snprintf(out + used, outlen - used, "/..");
	if (to[common] && used < outlen)
		snprintf(out + used, outlen - used, "%s", to + common);
}

/* Meson rewrites build-tree rpaths in place at install and fails when
 * they were changed: a build directory holds meson-private/. */
static bool in_meson_build_tree(const char *file)
{
	char dir[PATH_MAX], probe[PATH_MAX + 16];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", file);
	for (char *slash; (slash = strrchr(dir, '/')) && slash != dir;) {
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/meson-private", dir);
		if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
			return true;
	}
	return false;
}

static int run_patchelf(const char *runpath, const char *file)
{
	const char *patchelf = getenv("PLUGKIT_PATCHELF");
	char *argv[] = {NULL, "--set-rpath", (char *)runpath, (char *)file, NULL};
	int signal, status;

	argv[0] = (char *)(patchelf && *patchelf ? patchelf : "patchelf");
	status = run_child(argv, NULL, 0, &signal);
	if (signal)
		fprintf(stderr, "plugkit rpath: %s was killed by signal %d\n", argv[0], signal);
	else if (status == 127)
		fprintf(stderr, "plugkit rpath: cannot run %s\n", argv[0]);
	return status == 0 ? 0 : -1;
}

/* Reads the patched copy back: the wanted DT_RUNPATH, and nothing the
 * search-path check would fail. */
static int verify(const char *tmp, const char *file, const char *runpath)
{
	struct ldso ld;
	struct object obj = {0};
	struct verdict v = {0};
	char err[PATH_MAX + 256], dir[PATH_MAX + 32];
	int rc = 0;

	if (elf_open(tmp, &obj.elf, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit rpath: %s: patchelf left no readable ELF file: %s\n", file, err);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", tmp);
	*strrchr(dir, '/') = '\0';
	obj.origin = dir;
	if (!obj.elf.runpath || strcmp(obj.elf.runpath, runpath) != 0 || obj.elf.rpath) {
		fprintf(stderr, "plugkit rpath: %s: after patchelf, DT_RUNPATH is '%s', not '%s'\n", file,
			obj.elf.runpath ? obj.elf.runpath : "", runpath);
		rc = -1;
	} else if (ldso_init(&ld) != 0) {
		fprintf(stderr, "plugkit rpath: %s: out of memory\n", file);
		ldso_free(&ld);
		rc = -1;
	} else {
		judge_search_path(&ld, &obj, &v);
		if (v.status == STATUS_FAIL) {
			fprintf(stderr, "plugkit rpath: %s: %s\n", file, v.text);
			rc = -1;
		}
		free(v.text);
		ldso_free(&ld);
	}
	elf_close(&obj.elf);
	return rc;
}

int rpath_fix(const struct rpath_opts *o, const char *file)
{
	char path[PATH_MAX], libdir[PATH_MAX], root[PATH_MAX], final[PATH_MAX], runpath[PATH_MAX * 2];
	char tmp[PATH_MAX + 32], err[PATH_MAX + 256];
	struct elf_file elf;
	struct stat st;
	int rc = 1;

	if (!normalize(file, path, sizeof(path)) || !normalize(o->libdir, libdir, sizeof(libdir))) {
		fprintf(stderr, "plugkit rpath: %s: path too long\n", file);
		return 2;
	}
	/* Under DESTDIR the file's own place is its path without the root. */
	snprintf(final, sizeof(final), "%s", path);
	if (o->destdir && *o->destdir) {
		size_t n;

		if (!normalize(o->destdir, root, sizeof(root)))
			return 2;
		n = strlen(root);
		if (strcmp(root, "/") != 0) {
			if (strncmp(path, root, n) != 0 || path[n] != '/') {
				fprintf(stderr, "plugkit rpath: %s is not under DESTDIR %s\n", file, root);
				return 2;
			}
			snprintf(final, sizeof(final), "%s", path + n);
		}
	}
	if (in_meson_build_tree(path)) {
		fprintf(stderr, "plugkit rpath: %s is in a Meson build directory: meson install rewrites "
			"its rpath in place and fails if it was patched; fix the installed copy, or set "
			"install_rpath\n", file);
		return 2;
	}
	if (elf_open(path, &elf, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit rpath: %s\n", err);
		return 2;
	}
	*strrchr(final, '/') = '\0';
	origin_relative(final, libdir, runpath, sizeof(runpath));
	if (elf.runpath && !elf.rpath && strcmp(elf.runpath, runpath) == 0) {
		printf("%s: DT_RUNPATH already %s\n", file, runpath);
		elf_close(&elf);
		return 0;
	}
	printf("%s: DT_RUNPATH %s -> %s\n", file,
	       elf.runpath ? elf.runpath : elf.rpath ? elf.rpath : "(none)", runpath);
	if (o->dry_run) {
		elf_close(&elf);
		return 0;
	}
	/* The copy comes from the bytes just read and judged. */
	if (stat(path, &st) != 0 ||
	    write_beside(path, elf.map, elf.size, st.st_mode, tmp, sizeof(tmp)) != 0) {
		fprintf(stderr, "plugkit rpath: %s: cannot write a copy beside it: %s\n", file, strerror(errno));
		elf_close(&elf);
		return 1;
	}
	elf_close(&elf);
	if (run_patchelf(runpath, tmp) != 0)
		fprintf(stderr, "plugkit rpath: %s: patchelf failed; the file is unchanged\n", file);
	else if (verify(tmp, file, runpath) == 0 && rename(tmp, path) == 0)
		rc = 0;
	else
		fprintf(stderr, "plugkit rpath: %s: not replaced; the file is unchanged\n", file);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* ---- command line ---- */

void usage_rpath(FILE *out)
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

int cmd_rpath(int argc, char **argv)
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
