/*
 * plugkit rpath.  The file is never written in place: a copy next to it is
 * patched, read back and judged by the search-path rules, and only then
 * renamed over the original.  Whatever fails on the way (patchelf killed,
 * a full disk, a wrong result), the original stays as it was.
 */
#include "rpath.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "cli.h"
#include "fileout.h"
#include "ldso.h"
#include "report.h"
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
	for (char *save = NULL, *part = strtok_r(buf, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
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

/* "$ORIGIN" plus the way from directory from to directory to; false when
 * it does not fit in out. */
static bool origin_relative(const char *from, const char *to, char *out, size_t outlen)
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
		used += (size_t)snprintf(out + used, outlen - used, "%s", to + common);
	return used < outlen;
}

/* Whether the link at link sits in the directory dir (open): the
 * directory its name gives is that one. */
static bool same_directory(const char *link, int dir)
{
	char name[PATH_MAX];
	const char *slash = strrchr(link, '/');
	struct stat a, b;

	snprintf(name, sizeof(name), "%.*s", slash ? (int)(slash - link) + 1 : 1,
		 slash ? link : ".");
	return stat(name, &a) == 0 && fstat(dir, &b) == 0 && same_file(&a, &b);
}

/* Meson rewrites build-tree rpaths in place at install and fails when
 * they were changed: a build directory holds meson-private/. */
static bool in_meson_build_tree(const char *file)
{
	char dir[PATH_MAX + NAME_MAX + 2], probe[sizeof(dir) + 16];
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

/* Reads the patched copy (open as fd; in directory dir) back: the wanted
 * DT_RUNPATH, and nothing the search-path check would fail. */
static int verify(int fd, char *dir, const char *file, const char *runpath)
{
	struct ldso ld;
	struct object obj = {0};
	struct verdict v = {0};
	char err[PATH_MAX + 256], name[64];
	int rc = 0;

	fd_name(fd, name, sizeof(name));
	if (elf_open(name, &obj.elf, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit rpath: %s: patchelf left no readable ELF file: %s\n", file,
			err);
		return -1;
	}
	obj.origin = dir;
	if (!obj.elf.runpath || strcmp(obj.elf.runpath, runpath) != 0 || obj.elf.rpath) {
		fprintf(stderr, "plugkit rpath: %s: after patchelf, DT_RUNPATH is '", file);
		print_text_safely(stderr, obj.elf.runpath ? obj.elf.runpath : "");
		fprintf(stderr, "', not '%s'\n", runpath);
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

/* Whether the file open as fd is still as st saw it: written meanwhile,
 * its bytes are not those the copy was made from. */
static bool unchanged_since(int fd, const struct stat *st)
{
	struct stat now;

	return fstat(fd, &now) == 0 && now.st_size == st->st_size &&
	       now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	       now.st_ctim.tv_sec == st->st_ctim.tv_sec &&
	       now.st_ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * A copy of the file (open as fd, at place p in directory dir), patched
 * and judged, with every property of the original, renamed over it, all
 * through descriptors: patchelf is given the copy's descriptor, not a name.
 * Returns 0 or 1.
 */
static int replace(const struct place *p, char *dir, int fd, const struct stat *st,
		   const struct elf_file *elf, const char *file, const char *runpath)
{
	char err[PATH_MAX + 256], name[64];
	struct temp t;
	int rc = 1;

	clean_stale_temporaries(p, "plugkit rpath");
	/* Private until it is the file: the mode comes last, with the owner. */
	if (temp_open(p, 0600, &t) != 0 || temp_write(&t, elf->map, elf->size) != 0) {
		fprintf(stderr, "plugkit rpath: %s: cannot write a copy beside it: %s\n", file,
			strerror(errno));
		goto unchanged;
	}
	fd_name(t.fd, name, sizeof(name));
	if (run_patchelf(runpath, name) != 0) {
		fprintf(stderr, "plugkit rpath: %s: patchelf failed\n", file);
		goto unchanged;
	}
	if (verify(t.fd, dir, file, runpath) != 0)
		goto unchanged;
	if (keep_properties(fd, t.fd, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit rpath: %s: %s\n", file, err);
		goto unchanged;
	}
	if (!unchanged_since(fd, st)) {
		fprintf(stderr, "plugkit rpath: %s changed while it was being patched\n", file);
		goto unchanged;
	}
	if (temp_install(p, &t, st) == 0) {
		rc = 0;
		goto out;
	}
	if (errno == ESTALE || errno == ENOENT)
		fprintf(stderr, "plugkit rpath: %s changed while it was being patched\n", file);
	else
		fprintf(stderr, "plugkit rpath: %s: cannot rename the patched copy over it: %s\n",
			file, strerror(errno));
unchanged:
	fprintf(stderr, "plugkit rpath: %s: not replaced; the file is unchanged\n", file);
out:
	if (t.fd >= 0)
		temp_close(p, &t);
	return rc;
}

/* text, with what is not printable shown as \xNN: for messages.  NULL
 * when out of memory. */
static char *shown(const char *text)
{
	char *buf = NULL;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	print_text_safely(out, text);
	fclose(out);
	return buf;
}

/* The absolute name of the directory open as dir, as the kernel keeps it:
 * where ld.so will take $ORIGIN from. */
static int dir_path(int dir, char *out, size_t outlen)
{
	char name[64];
	ssize_t n;

	fd_name(dir, name, sizeof(name));
	n = readlink(name, out, outlen - 1);
	if (n <= 0 || (size_t)n == outlen - 1 || out[0] != '/')
		return -1;
	out[n] = '\0';
	return 0;
}

/* Fixes the file at place p; file is how it was named, printable. */
static int fix_at(const struct rpath_opts *o, const struct place *p, bool linked, const char *arg,
		  const char *file)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2], from[sizeof(path)], libdir[PATH_MAX],
		root[PATH_MAX], runpath[PATH_MAX * 2], name[64];
	char err[PATH_MAX + 256];
	const char *final = path;
	struct elf_file elf;
	struct stat st;
	int fd, rc = 2;

	if (dir_path(p->dir, dir, sizeof(dir)) != 0) {
		fprintf(stderr,
			"plugkit rpath: %s: cannot name its directory (is /proc mounted?)\n", file);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, p->name);
	if (!normalize(o->libdir, libdir, sizeof(libdir))) {
		fprintf(stderr, "plugkit rpath: %s: path too long\n", o->libdir);
		return 2;
	}
	/* Under DESTDIR the file's own place is its path without the root. */
	if (o->destdir && *o->destdir) {
		size_t n;

		if (!realpath(o->destdir, root)) {
			fprintf(stderr, "plugkit rpath: DESTDIR %s: %s\n", o->destdir,
				strerror(errno));
			return 2;
		}
		n = strlen(root);
		if (strcmp(root, "/") != 0) {
			if (strncmp(path, root, n) != 0 || path[n] != '/') {
				fprintf(stderr, "plugkit rpath: %s is not under DESTDIR %s\n", file,
					root);
				return 2;
			}
			final = path + n;
		}
	}
	if (in_meson_build_tree(path)) {
		fprintf(stderr,
			"plugkit rpath: %s is in a Meson build directory: meson install rewrites "
			"its rpath in place and fails if it was patched; fix the installed copy, or set "
			"install_rpath\n",
			file);
		return 2;
	}
	/* Opening a device can act on it (a tape rewinds): look first. */
	if (fstatat(p->dir, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "plugkit rpath: %s: not a regular file\n", file);
		return 2;
	}
	fd = openat(p->dir, p->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "plugkit rpath: %s: %s\n", file,
			fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return 2;
	}
	if (linked) {
		printf("%s: a symbolic link to ", file);
		print_text_safely(stdout, path);
		puts(": that file is patched, the link stays");
		if (!same_directory(arg, p->dir))
			printf("%s: note: ld.so takes $ORIGIN from the name it opens, and the link is in "
			       "another directory than the file: DT_RUNPATH is set for the file's\n",
			       file);
	}
	if (st.st_nlink > 1 && !o->break_hardlinks) {
		fprintf(stderr,
			"plugkit rpath: %s has %ju hard links: a patched copy would leave the "
			"other names with the old bytes; pass --break-hardlinks to patch this name "
			"alone\n",
			file, (uintmax_t)st.st_nlink);
		close(fd);
		return 2;
	}
	fd_name(fd, name, sizeof(name));
	if (elf_open(name, &elf, err, sizeof(err)) != 0) {
		fprintf(stderr, "plugkit rpath: %s: %s\n", file,
			strncmp(err, name, strlen(name)) == 0 ? err + strlen(name) + 2 : err);
		close(fd);
		return 2;
	}
	if (elf.dev != st.st_dev || elf.ino != st.st_ino || !unchanged_since(fd, &st)) {
		fprintf(stderr, "plugkit rpath: %s changed while it was being read\n", file);
		rc = 1;
		goto out;
	}
	snprintf(from, sizeof(from), "%s", final);
	*strrchr(from, '/') = '\0';
	if (!origin_relative(from, libdir, runpath, sizeof(runpath))) {
		fprintf(stderr, "plugkit rpath: %s: the RUNPATH from it to %s is too long\n", file,
			libdir);
		goto out;
	}
	rc = 0;
	if (elf.runpath && !elf.rpath && strcmp(elf.runpath, runpath) == 0) {
		printf("%s: DT_RUNPATH already %s\n", file, runpath);
		goto out;
	}
	/* The old value comes from the file: no escape sequence reaches the
	 * terminal. */
	fputs(file, stdout);
	fputs(": DT_RUNPATH ", stdout);
	print_text_safely(stdout, elf.runpath ? elf.runpath : elf.rpath ? elf.rpath : "(none)");
	printf(" -> %s\n", runpath);
	if (st.st_nlink > 1)
		printf("%s: its %ju other hard links keep the old bytes\n", file,
		       (uintmax_t)st.st_nlink - 1);
	fflush(stdout);
	if (!o->dry_run)
		rc = replace(p, dir, fd, &st, &elf, file, runpath);
out:
	elf_close(&elf);
	close(fd);
	return rc;
}

int rpath_fix(const struct rpath_opts *o, const char *arg)
{
	char *safe = shown(arg);
	const char *file = safe ? safe : "?";
	struct place p;
	bool linked;
	int rc = 2;

	/* The file system resolves the name, as open() would: links are
	 * followed and ".." is taken after them, not by text; from here on
	 * the file is reached through its directory, held open. */
	if (place_open(arg, true, &p, &linked) != 0)
		fprintf(stderr, "plugkit rpath: %s: %s\n", file,
			errno == EISDIR ? "a directory, not a file" : strerror(errno));
	else
		rc = fix_at(o, &p, linked, arg, file);
	place_close(&p);
	free(safe);
	return rc;
}

/* ---- command line ---- */

void usage_rpath(FILE *out)
{
	fputs("Usage: plugkit rpath --libdir DIR [--destdir DIR] [--dry-run] [--break-hardlinks] FILE...\n"
	      "       plugkit rpath --meson --libdir DIR FILE...   (from meson.add_install_script)\n"
	      "Sets each installed FILE's DT_RUNPATH to the $ORIGIN-relative path that\n"
	      "reaches DIR, with patchelf ($PLUGKIT_PATCHELF, else patchelf on PATH).\n"
	      "The file is patched as a copy beside it, read back, judged by the\n"
	      "search-path rules, given the original's owner, group, mode, ACLs,\n"
	      "extended attributes (file capabilities included) and chattr flags, and\n"
	      "only then renamed over the original.  When any of those cannot be kept\n"
	      "exactly (a set-user-ID file of another user, a capability without\n"
	      "CAP_SETFCAP, an immutable file), the file is refused and left as it\n"
	      "was.  A symbolic link is followed: the file it names is patched and the\n"
	      "link stays a link.  Running it twice changes nothing.  Files in a Meson\n"
	      "build directory are refused: meson install rewrites those itself.\n"
	      "FILE's directory is opened once and everything after goes through it\n"
	      "(patchelf gets the copy as /proc/self/fd/N): a directory or link swapped\n"
	      "during the run cannot redirect the write, and a FILE replaced or written\n"
	      "meanwhile is left as it now is (exit 1).  Where the file system allows\n"
	      "(O_TMPFILE) the copy has no name until it is complete, so no run leaves\n"
	      "one; elsewhere it is FILE.plugkit-PID-XXXXXX, removed on SIGINT, SIGTERM,\n"
	      "SIGHUP or SIGQUIT, and after a SIGKILL by the next run on FILE.\n"
	      "\n"
	      "  --libdir DIR       the directory the files must reach, as installed\n"
	      "  --destdir DIR      the files sit under this staging root (DESTDIR)\n"
	      "  --meson            take DESTDIR and MESON_INSTALL_PREFIX from Meson's install\n"
	      "                     environment; relative FILEs and DIR are inside the prefix\n"
	      "  --dry-run          say what would change, change nothing\n"
	      "  --break-hardlinks  patch a FILE that has other hard links (they keep the\n"
	      "                     old bytes); without it such a FILE is refused\n"
	      "\n"
	      "Exit status: 0 done, 1 a file could not be patched or could not keep its\n"
	      "owner, mode or attributes (it is unchanged), 2 usage error, a FILE that\n"
	      "is not ELF, or a FILE with other hard links.\n",
	      out);
}

int cmd_rpath(int argc, char **argv)
{
	static const struct option options[] = {
		{"libdir", required_argument, NULL, 'l'},
		{"destdir", required_argument, NULL, 'd'},
		{"meson", no_argument, NULL, 'm'},
		{"dry-run", no_argument, NULL, 'n'},
		{"break-hardlinks", no_argument, NULL, 'b'},
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
		case 'b': o.break_hardlinks = true; break;
		case 'h': usage_rpath(stdout); return 0;
		default: fputs("Try 'plugkit help rpath'.\n", stderr); return 2;
		}
	}
	if (!o.libdir || optind == argc) {
		fputs("plugkit rpath: give --libdir and at least one FILE\nTry 'plugkit help rpath'.\n",
		      stderr);
		return 2;
	}
	if (meson) {
		prefix = getenv("MESON_INSTALL_PREFIX");
		if (!prefix || prefix[0] != '/') {
			fputs("plugkit rpath: --meson needs MESON_INSTALL_PREFIX (run it from "
			      "meson.add_install_script)\n",
			      stderr);
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
			snprintf(file, sizeof(file), "%s%s/%s", o.destdir ? o.destdir : "", prefix,
				 argv[i]);
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
