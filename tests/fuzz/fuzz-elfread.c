/*
 * libFuzzer harness for the ELF reader: every input is a file (a memfd, so
 * the reader's real open/fstat/mmap path runs), parsed and then read the
 * way the checks read it.  It is then read again the way scan reads it
 * (ELF_SCAN, sparse, in one arena that keeps the bytes of every earlier
 * input): where the whole read succeeds, that one must too, with the same
 * fields, or scan has looked at bytes it never read.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfread.h"

static bool count_name(const char *name, bool defined, void *arg)
{
	*(size_t *)arg += strlen(name) + defined;
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* What scan prints of a file, as the whole read saw it. */
static void scan_agrees(const char *path, const struct elf_file *all)
{
	static struct map_arena arena; /* kept from input to input, on purpose */
	char err[512];
	struct elf_file s;
	bool same;

	if (elf_scan_at(&arena, AT_FDCWD, path, path, 0, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "ELF_SCAN refused what ELF_ALL read: %s\n", err);
		abort();
	}
	same = s.type == all->type && same_str(s.soname, all->soname) &&
	       same_str(s.rpath, all->rpath) && same_str(s.runpath, all->runpath) &&
	       s.n_needed == all->n_needed && s.flags == all->flags &&
	       s.n_tpoff_relocs == all->n_tpoff_relocs &&
	       s.n_tlsdesc_relocs == all->n_tlsdesc_relocs && s.textrel == all->textrel &&
	       s.has_dynamic == all->has_dynamic && s.exec_stack == all->exec_stack &&
	       s.wx_segment == all->wx_segment && s.tls_memsz == all->tls_memsz &&
	       s.stack_flags == all->stack_flags && s.relro_flags == all->relro_flags &&
	       s.n_loads == all->n_loads &&
	       !memcmp(s.load_flags, all->load_flags, sizeof(s.load_flags));
	for (size_t i = 0; same && i < s.n_needed; i++)
		same = !strcmp(s.needed[i], all->needed[i]);
	if (!same) {
		fputs("ELF_SCAN and ELF_ALL read different fields\n", stderr);
		abort();
	}
	elf_close(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	struct elf_file elf;
	size_t total = 0;
	int fd = memfd_create("fuzz.so", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (elf_open(path, &elf, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < elf.n_needed; i++)
			total += strlen(elf.needed[i]);
		for (size_t i = 0; i < elf.n_dynsym; i++) {
			struct elf_lookup it;
			const struct elf_version *v = elf_version(&elf, elf.dynsym[i].versym);

			for (long k = elf_lookup_first(&elf, elf.dynsym[i].name, ELF_LOOKUP_ALL,
						       &it);
			     k >= 0; k = elf_lookup_next(&elf, &it))
				total++;
			if (v)
				total += strlen(v->name) + (v->file ? strlen(v->file) : 0);
		}
		elf_symtab_code_any(&elf, NULL, count_name, &total);
		scan_agrees(path, &elf);
		total += (elf.soname ? strlen(elf.soname) : 0) +
			 (elf.runpath ? strlen(elf.runpath) : 0) +
			 (elf.rpath ? strlen(elf.rpath) : 0);
		elf_close(&elf);
	}
	close(fd);
	return total == (size_t)-1;
}
