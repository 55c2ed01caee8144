/* plugkit scan: the reader over whole trees, one line per ELF file. */
#include "scan.h"

#include <elf.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "elfread.h"

static int broken;

static void print_list(const char *label, const char *const *items, size_t n)
{
	printf(" %s=", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", items[i]);
}

static void scan_file(const char *path)
{
	char err[4096 + 256];
	struct elf_file elf;

	if (elf_open(path, &elf, err, sizeof(err)) != 0) {
		/* A tree holds scripts, data and headers: only broken ELF counts. */
		if (!strstr(err, ": not an ELF file") && !strstr(err, ": empty file")) {
			fprintf(stderr, "plugkit scan: %s\n", err);
			broken = 1;
		}
		return;
	}
	printf("%s: %s", path,
	       elf.type == ET_DYN ? "ET_DYN" : elf.type == ET_EXEC ? "ET_EXEC" :
	       elf.type == ET_REL ? "ET_REL" : "ET_OTHER");
	if (elf.soname)
		printf(" soname=%s", elf.soname);
	if (elf.n_needed)
		print_list("needed", elf.needed, elf.n_needed);
	if (elf.rpath)
		printf(" rpath=%s", elf.rpath);
	if (elf.runpath)
		printf(" runpath=%s", elf.runpath);
	if ((elf.flags & DF_STATIC_TLS) || elf.n_tpoff_relocs)
		printf(" static-tls=%llu", (unsigned long long)elf.tls_memsz);
	if (elf.n_tlsdesc_relocs)
		fputs(" tlsdesc", stdout);
	if (elf.textrel)
		fputs(" textrel", stdout);
	if (elf.has_dynamic && elf.exec_stack)
		fputs(" execstack", stdout);
	if (elf.wx_segment)
		fputs(" wx", stdout);
	putchar('\n');
	elf_close(&elf);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		scan_file(path);
	else if (type == FTW_DNR)
		fprintf(stderr, "plugkit scan: %s: cannot read directory\n", path), broken = 1;
	return 0;
}

int scan_paths(char *const *paths, size_t n, bool recursive)
{
	struct stat st;

	broken = 0;
	for (size_t i = 0; i < n; i++) {
		if (stat(paths[i], &st) != 0) {
			perror(paths[i]);
			return 2;
		}
		if (S_ISDIR(st.st_mode) && recursive) {
			/* FTW_PHYS: symlinks are not followed, so nothing is scanned twice. */
			if (nftw(paths[i], visit, 32, FTW_PHYS) != 0) {
				perror(paths[i]);
				return 2;
			}
		} else if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "plugkit scan: %s: a directory (use -R)\n", paths[i]);
			return 2;
		} else {
			scan_file(paths[i]);
		}
	}
	return broken;
}

/* ---- command line ---- */

void usage_scan(FILE *out)
{
	fputs("Usage: plugkit scan [-R] PATH...\n"
	      "One line per ELF file: type, SONAME, DT_NEEDED, DT_RPATH/DT_RUNPATH, and\n"
	      "static-tls=BYTES, tlsdesc, textrel, execstack or wx when the file has them.\n"
	      "Files that are not ELF are passed over.\n"
	      "\n"
	      "  -R, --recursive  scan directories, without following symlinks\n"
	      "\n"
	      "Exit status: 0, 1 when an ELF file is broken, 2 on a usage error or a\n"
	      "PATH that does not exist.\n",
	      out);
}

int cmd_scan(int argc, char **argv)
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
