/*
 * libFuzzer harness for the ELF reader: every input is a file (a memfd, so
 * the reader's real open/fstat/mmap path runs), parsed and then read the
 * way the checks read it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfread.h"

static bool count_name(const char *name, bool defined, void *arg)
{
	*(size_t *)arg += strlen(name) + defined;
	return false;
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
		total += (elf.soname ? strlen(elf.soname) : 0) +
			 (elf.runpath ? strlen(elf.runpath) : 0) +
			 (elf.rpath ? strlen(elf.rpath) : 0);
		elf_close(&elf);
	}
	close(fd);
	return total == (size_t)-1;
}
