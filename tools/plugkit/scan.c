/* plugkit scan: the reader over whole trees, one line per ELF file. */
#include "scan.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "elfread.h"

/*
 * Files already scanned, by device and inode: a tree reaches one file by
 * its name, its hard links and the symlinks to it, and each is read once.
 * Open addressing by inode number alone, so that a directory entry's d_ino
 * (which has no device) can be looked up; grown at half full.
 */
struct seen {
	struct file_id {
		dev_t dev;
		ino_t ino;
		bool used;
	} * slots;
	size_t cap, n;
};

static size_t id_hash(ino_t ino, size_t cap)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15u;

	return (size_t)(h ^ h >> 29) & (cap - 1);
}

static bool seen_add(struct seen *s, dev_t dev, ino_t ino);

static bool seen_grow(struct seen *s)
{
	struct seen bigger = {.cap = s->cap ? 2 * s->cap : 1024};

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return false;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].used)
			seen_add(&bigger, s->slots[i].dev, s->slots[i].ino);
	free(s->slots);
	*s = bigger;
	return true;
}

/* True when (dev, ino) is new (and now recorded). */
static bool seen_add(struct seen *s, dev_t dev, ino_t ino)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap && !seen_grow(s))
		return true; /* out of memory: scanning twice beats not at all */
	for (i = id_hash(ino, s->cap); s->slots[i].used; i = (i + 1) & (s->cap - 1))
		if (s->slots[i].dev == dev && s->slots[i].ino == ino)
			return false;
	s->slots[i] = (struct file_id){dev, ino, true};
	s->n++;
	return true;
}

/* Whether some file of that inode number, on any device, was recorded. */
static bool seen_ino(const struct seen *s, ino_t ino)
{
	if (!s->cap)
		return false;
	for (size_t i = id_hash(ino, s->cap); s->slots[i].used; i = (i + 1) & (s->cap - 1))
		if (s->slots[i].ino == ino)
			return true;
	return false;
}

/* A directory's entries, read whole (getdents64) before any is visited. */
struct listing {
	unsigned char *buf;
	size_t len, cap;
};

struct scan {
	bool validate; /* every file read whole, as check reads it */
	struct seen seen;
	struct map_arena arena; /* every file's bytes, one after another */
	char *path;             /* the file or directory at hand */
	size_t path_cap;
	struct listing *listings; /* one per level of the walk */
	size_t n_listings;
	size_t n_elf;
	int status; /* 1 once an ELF file is broken */
};

static void print_list(const char *label, const char *const *items, size_t n)
{
	printf(" %s=", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", items[i]);
}

/* PF_R|PF_W|PF_X as scanelf prints them: "R-X". */
static const char *rwx(int flags)
{
	static char s[4];

	s[0] = flags & PF_R ? 'R' : '-';
	s[1] = flags & PF_W ? 'W' : '-';
	s[2] = flags & PF_X ? 'X' : '-';
	return s;
}

static void print_elf(const char *path, const struct elf_file *elf)
{
	printf("%s: %s", path,
	       elf->type == ET_DYN    ? "ET_DYN"
	       : elf->type == ET_EXEC ? "ET_EXEC"
	       : elf->type == ET_REL  ? "ET_REL"
				      : "ET_OTHER");
	if (elf->soname)
		printf(" soname=%s", elf->soname);
	if (elf->n_needed)
		print_list("needed", elf->needed, elf->n_needed);
	if (elf->rpath)
		printf(" rpath=%s", elf->rpath);
	if (elf->runpath)
		printf(" runpath=%s", elf->runpath);
	if ((elf->flags & DF_STATIC_TLS) || elf->n_tpoff_relocs)
		printf(" static-tls=%llu", (unsigned long long)elf->tls_memsz);
	if (elf->n_tlsdesc_relocs)
		fputs(" tlsdesc", stdout);
	if (elf->textrel)
		fputs(" textrel", stdout);
	if (elf->has_dynamic && elf->exec_stack)
		fputs(" execstack", stdout);
	if (elf->wx_segment)
		fputs(" wx", stdout);
	if (elf->stack_flags >= 0)
		printf(" stack=%s", rwx(elf->stack_flags));
	if (elf->relro_flags >= 0)
		printf(" relro=%s", rwx(elf->relro_flags));
	for (size_t i = 0; i < elf->n_loads; i++)
		printf("%s%s", i ? "," : " load=", rwx(elf->load_flags[i]));
	putchar('\n');
}

/* A file that failed: whether it is new, by its own stat (a file that
 * cannot be read is noted under one name only, like one that can). */
static bool failed_first(struct scan *s, int at, const char *name)
{
	struct stat st;

	return fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
	       seen_add(&s->seen, st.st_dev, st.st_ino);
}

/*
 * Reads and prints name in directory at (AT_FDCWD: name is s->path), opened
 * with oflags added.  recorded: the file's device and inode are in s->seen
 * already (it was stat'ed through a symlink or as a command-line PATH);
 * otherwise they are recorded once it is open.
 */
static void scan_file(struct scan *s, int at, const char *name, int oflags, bool recorded)
{
	char err[4096 + 256];
	struct elf_file elf;
	int rc = s->validate ? elf_open_parts(s->path, ELF_ALL, &elf, err, sizeof(err))
			     : elf_scan_at(&s->arena, at, name, s->path, oflags, &elf, err,
					   sizeof(err));

	if (rc != 0) {
		int e = errno;

		/* A tree holds scripts, data and headers: only broken ELF
		 * counts.  A file that cannot be read, or is not data at all,
		 * is noted, not judged. */
		if (e == ENOEXEC || (!recorded && !failed_first(s, at, name)))
			return;
		if (e == EBADMSG) {
			fprintf(stderr, "plugkit scan: %s\n", err);
			s->status = 1;
		} else {
			fprintf(stderr, "plugkit scan: %s (passed over)\n", err);
		}
		return;
	}
	if (recorded || seen_add(&s->seen, elf.dev, elf.ino)) {
		s->n_elf++;
		print_elf(s->path, &elf);
	}
	elf_close(&elf);
}

/* A symlink to a file is scanned (once, whatever names it); one to a
 * directory is not entered, so no tree is walked twice and no link loop
 * traps the walk.  One that leads nowhere is passed over in silence. */
static void scan_symlink(struct scan *s, int at, const char *name)
{
	struct stat st;

	if (fstatat(at, name, &st, 0) != 0 || S_ISDIR(st.st_mode))
		return;
	if (S_ISREG(st.st_mode) && !seen_add(&s->seen, st.st_dev, st.st_ino))
		return;
	scan_file(s, at, name, 0, S_ISREG(st.st_mode));
}

/* Anything but a directory or symlink.  ino: the directory entry's d_ino,
 * the file's own inode number except where a file is mounted over it, so
 * a file seen before is confirmed by its stat before it is passed over;
 * a new one costs no stat beyond the reader's own. */
static void scan_entry(struct scan *s, int at, const char *name, ino_t ino)
{
	struct stat st;
	bool recorded = false;

	/* The number alone may be another device's file: recorded by this
	 * stat, it is new. */
	if (seen_ino(&s->seen, ino) && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		if (!seen_add(&s->seen, st.st_dev, st.st_ino))
			return;
		recorded = true;
	}
	scan_file(s, at, name, O_NOFOLLOW, recorded);
}

/* s->path = s->path[0, len) + "/" + name; its new length, or 0 when out
 * of memory. */
static size_t path_push(struct scan *s, size_t len, const char *name)
{
	size_t n = strlen(name), sep = len && s->path[len - 1] != '/';

	if (len + sep + n + 1 > s->path_cap) {
		size_t cap = 2 * (len + sep + n + 1);
		char *path = realloc(s->path, cap);

		if (!path)
			return 0;
		s->path = path;
		s->path_cap = cap;
	}
	if (sep)
		s->path[len] = '/';
	memcpy(s->path + len + sep, name, n + 1);
	return len + sep + n;
}

/* Reads directory fd's entries into the walk's listing for depth. */
static bool read_listing(struct scan *s, size_t depth, int fd)
{
	struct listing *l;

	if (depth >= s->n_listings) {
		struct listing *more = realloc(s->listings, (depth + 1) * sizeof(*more));

		if (!more)
			return false;
		memset(more + s->n_listings, 0, (depth + 1 - s->n_listings) * sizeof(*more));
		s->listings = more;
		s->n_listings = depth + 1;
	}
	l = &s->listings[depth];
	l->len = 0;
	for (;;) {
		ssize_t n;

		/* Room for many entries (the longest, a 255-byte name, takes
		 * 280 bytes): a call reads hundreds of them. */
		if (l->cap - l->len < 8 * 1024) {
			size_t cap = l->cap ? 2 * l->cap : 32 * 1024;
			unsigned char *buf = realloc(l->buf, cap);

			if (!buf)
				return false;
			l->buf = buf;
			l->cap = cap;
		}
		n = getdents64(fd, l->buf + l->len, l->cap - l->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0;
		l->len += (size_t)n;
	}
}

/* Directories deeper than this are not kept open while their entries are
 * visited: below it, names are opened from whole paths. */
#define MAX_OPEN_DIRS 32

/*
 * The directory s->path[0, len), open as fd (closed here), and everything
 * under it, in the order of its entries (as nftw(3) visits them, each
 * directory's contents right after it).  d_type tells files from
 * directories and symlinks without a stat per entry; files are opened
 * relative to the directory, not by path.
 */
static void scan_dir(struct scan *s, int fd, size_t len, size_t depth)
{
	int at = fd;

	if (!read_listing(s, depth, fd)) {
		fprintf(stderr, "plugkit scan: %s: cannot read the directory (passed over)\n",
			s->path);
		close(fd);
		return;
	}
	if (depth >= MAX_OPEN_DIRS) {
		close(fd);
		at = AT_FDCWD;
	}
	/* s->listings moves as deeper levels are added: index it afresh. */
	for (size_t off = 0; off < s->listings[depth].len;) {
		const struct dirent64 *d = (const void *)(s->listings[depth].buf + off);
		unsigned char type = d->d_type;
		size_t sub_len;
		const char *name;

		off += d->d_reclen;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		sub_len = path_push(s, len, d->d_name);
		if (!sub_len) {
			fprintf(stderr, "plugkit scan: %s: out of memory (passed over)\n", s->path);
			break;
		}
		name = at == AT_FDCWD ? s->path : d->d_name;
		if (type == DT_UNKNOWN) { /* not every file system fills d_type */
			struct stat st;

			if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			type = IFTODT(st.st_mode);
		}
		if (type == DT_DIR) {
			int sub = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0)
				fprintf(stderr,
					"plugkit scan: %s: cannot read the directory (passed over)\n",
					s->path);
			else
				scan_dir(s, sub, sub_len, depth + 1);
		} else if (type == DT_LNK) {
			scan_symlink(s, at, name);
		} else {
			scan_entry(s, at, name, (ino_t)d->d_ino);
		}
	}
	s->path[len] = '\0';
	if (at != AT_FDCWD)
		close(fd);
}

/* A PATH of the command line: a file, or with -R a directory.  A PATH that
 * is itself a symlink to a directory is not entered, as within a tree (and
 * as nftw(3) and scanelf -R do), unless it ends in a slash, which follows
 * the link (path_resolution(7)); trailing slashes go from what is printed. */
static int scan_path(struct scan *s, const char *path, bool recursive)
{
	size_t len = strlen(path);
	struct stat st;
	int fd;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "plugkit scan: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (S_ISDIR(st.st_mode) && !recursive) {
		fprintf(stderr, "plugkit scan: %s: a directory (use -R)\n", path);
		return 2;
	}
	if (!path_push(s, 0, path)) {
		fprintf(stderr, "plugkit scan: %s: out of memory\n", path);
		return 2;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (S_ISREG(st.st_mode) && !seen_add(&s->seen, st.st_dev, st.st_ino))
			return 0;
		scan_file(s, AT_FDCWD, s->path, 0, S_ISREG(st.st_mode));
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	while (len > 1 && s->path[len - 1] == '/')
		s->path[--len] = '\0';
	if (fd >= 0)
		scan_dir(s, fd, len, 0);
	else if (errno == ELOOP || errno == ENOTDIR)
		fprintf(stderr,
			"plugkit scan: %s: a symlink to a directory, not entered (name it %s/ to "
			"enter it)\n",
			s->path, s->path);
	else
		fprintf(stderr, "plugkit scan: %s: cannot read the directory (passed over)\n",
			s->path);
	return 0;
}

int scan_paths(char *const *paths, size_t n, bool recursive, bool validate)
{
	struct scan s = {.validate = validate};
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = scan_path(&s, paths[i], recursive);
	if (rc == 0 && s.n_elf == 0)
		fputs("plugkit scan: no ELF file found\n", stderr);
	free(s.seen.slots);
	map_arena_free(&s.arena);
	free(s.path);
	for (size_t i = 0; i < s.n_listings; i++)
		free(s.listings[i].buf);
	free(s.listings);
	return rc ? rc : s.status;
}

/* ---- command line ---- */

void usage_scan(FILE *out)
{
	fputs("Usage: plugkit scan [-R] [--validate] PATH...\n"
	      "One line per ELF file: type, SONAME, DT_NEEDED, DT_RPATH/DT_RUNPATH,\n"
	      "static-tls=BYTES, tlsdesc, textrel, execstack or wx when the file has them,\n"
	      "then the permissions of PT_GNU_STACK (stack=), PT_GNU_RELRO (relro=) and\n"
	      "each PT_LOAD (load=), as R, W and X.\n"
	      "Files that are not ELF are passed over in silence; FIFOs, sockets,\n"
	      "devices and files that cannot be read are passed over with a note.\n"
	      "A file reached by several names (links, symlinks) is scanned once.\n"
	      "\n"
	      "  -R, --recursive  scan directories; symlinks to files are followed,\n"
	      "                   symlinks to directories are not (a PATH that is one\n"
	      "                   is entered when it ends in a slash)\n"
	      "      --validate   read and check every dynamic symbol, version and\n"
	      "                   section as `plugkit check` does (scan reads only\n"
	      "                   what it prints)\n"
	      "\n"
	      "Exit status: 0, also when no ELF file was found (said on stderr);\n"
	      "1 when an ELF file is broken; 2 on a usage error or a PATH that does\n"
	      "not exist.\n",
	      out);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option options[] = {
		{"recursive", no_argument, NULL, 'R'},
		{"validate", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool recursive = false, validate = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "Rh", options, NULL)) != -1) {
		switch (opt) {
		case 'R': recursive = true; break;
		case 'V': validate = true; break;
		case 'h': usage_scan(stdout); return 0;
		default: fputs("Try 'plugkit help scan'.\n", stderr); return 2;
		}
	}
	if (optind == argc) {
		fputs("plugkit scan: no PATH given\nTry 'plugkit help scan'.\n", stderr);
		return 2;
	}
	return scan_paths(argv + optind, (size_t)(argc - optind), recursive, validate);
}
