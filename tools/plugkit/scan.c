/* plugkit scan: the reader over whole trees, one line per ELF file. */
#include "scan.h"

#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "elfread.h"

/*
 * Files already scanned, by device and inode: a tree reaches one file by
 * its name, its hard links and the symlinks to it, and each is read once.
 * Open addressing, grown at half full.
 */
struct seen {
	struct file_id {
		dev_t dev;
		ino_t ino;
		bool used;
	} * slots;
	size_t cap, n;
};

static size_t id_hash(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15u) ^ ((uint64_t)ino * 0xc2b2ae3d27d4eb4fu);

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
	for (i = id_hash(dev, ino, s->cap); s->slots[i].used; i = (i + 1) & (s->cap - 1))
		if (s->slots[i].dev == dev && s->slots[i].ino == ino)
			return false;
	s->slots[i] = (struct file_id){dev, ino, true};
	s->n++;
	return true;
}

struct scan {
	enum elf_parts parts; /* ELF_SCAN, or ELF_ALL with --validate */
	struct seen seen;
	size_t n_elf;
	int status; /* 1 once an ELF file is broken */
};

static struct scan *current; /* nftw's callback has no argument */

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

/* st: the file's own stat (through any symlink). */
static void scan_file(struct scan *s, const char *path, const struct stat *st)
{
	char err[4096 + 256];
	struct elf_file elf;

	/* A FIFO, socket or device is refused by the reader before it reads
	 * (and noted below); only regular files are worth remembering. */
	if (S_ISREG(st->st_mode) && !seen_add(&s->seen, st->st_dev, st->st_ino))
		return;
	if (elf_open_parts(path, s->parts, &elf, err, sizeof(err)) != 0) {
		/* A tree holds scripts, data and headers: only broken ELF
		 * counts.  A file that cannot be read, or is not data at all,
		 * is noted, not judged. */
		if (errno == EBADMSG) {
			fprintf(stderr, "plugkit scan: %s\n", err);
			s->status = 1;
		} else if (errno != ENOEXEC) {
			fprintf(stderr, "plugkit scan: %s (passed over)\n", err);
		}
		return;
	}
	s->n_elf++;
	print_elf(path, &elf);
	elf_close(&elf);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct stat target;

	(void)ftw;
	switch (type) {
	case FTW_F: scan_file(current, path, st); break;
	case FTW_SL:
		/* A symlink to a file is scanned (once, whatever names it); one
		 * to a directory is not entered, so no tree is walked twice
		 * and no link loop traps the walk. */
		if (stat(path, &target) == 0 && !S_ISDIR(target.st_mode))
			scan_file(current, path, &target);
		break;
	case FTW_DNR:
		fprintf(stderr, "plugkit scan: %s: cannot read the directory (passed over)\n",
			path);
		break;
	}
	return 0;
}

int scan_paths(char *const *paths, size_t n, bool recursive, bool validate)
{
	struct scan s = {.parts = validate ? ELF_ALL : ELF_SCAN};
	int rc = 0;

	current = &s;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat st;

		if (stat(paths[i], &st) != 0) {
			fprintf(stderr, "plugkit scan: %s: %s\n", paths[i], strerror(errno));
			rc = 2;
		} else if (S_ISDIR(st.st_mode) && !recursive) {
			fprintf(stderr, "plugkit scan: %s: a directory (use -R)\n", paths[i]);
			rc = 2;
		} else if (S_ISDIR(st.st_mode)) {
			/* FTW_PHYS: symlinks come to visit() as such. */
			if (nftw(paths[i], visit, 32, FTW_PHYS) != 0) {
				fprintf(stderr, "plugkit scan: %s: %s\n", paths[i],
					strerror(errno));
				rc = 2;
			}
		} else {
			scan_file(&s, paths[i], &st);
		}
	}
	if (rc == 0 && s.n_elf == 0)
		fputs("plugkit scan: no ELF file found\n", stderr);
	free(s.seen.slots);
	current = NULL;
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
	      "                   symlinks to directories are not\n"
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
