#include "dynmem.h"

#include <elf.h>
#include <stdbool.h>
#include <string.h>

#include "elfread.h"

uintptr_t dyn_absolute(uintptr_t base, ElfW(Addr) addr)
{
	return addr < base ? base + addr : addr;
}

ElfW(Addr) dyn_value(const ElfW(Dyn) * dyn, ElfW(Sxword) tag)
{
	for (const ElfW(Dyn) *d = dyn; d && d->d_tag != DT_NULL; d++)
		if (d->d_tag == tag)
			return d->d_un.d_ptr;
	return 0;
}

const char *dyn_string(uintptr_t base, const ElfW(Dyn) * dyn, ElfW(Sxword) tag)
{
	const char *strtab = NULL;
	ElfW(Addr) off = 0;
	bool found = false;

	for (const ElfW(Dyn) *d = dyn; d && d->d_tag != DT_NULL && !(strtab && found); d++) {
		if (d->d_tag == DT_STRTAB)
			strtab = (const char *)dyn_absolute(base, d->d_un.d_ptr);
		else if (d->d_tag == tag && !found) {
			off = d->d_un.d_val;
			found = true;
		}
	}
	return strtab && found ? strtab + off : NULL;
}

const ElfW(Sym) * dyn_lookup(uintptr_t base, const ElfW(Dyn) * dyn, const char *name)
{
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const uint32_t *gnu = NULL, *sysv = NULL;

	for (const ElfW(Dyn) *d = dyn; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_SYMTAB)
			symtab = (const ElfW(Sym) *)dyn_absolute(base, d->d_un.d_ptr);
		else if (d->d_tag == DT_STRTAB)
			strtab = (const char *)dyn_absolute(base, d->d_un.d_ptr);
		else if (d->d_tag == DT_GNU_HASH)
			gnu = (const uint32_t *)dyn_absolute(base, d->d_un.d_ptr);
		else if (d->d_tag == DT_HASH)
			sysv = (const uint32_t *)dyn_absolute(base, d->d_un.d_ptr);
	}
	if (!symtab || !strtab)
		return NULL;
	if (gnu) {
		uint32_t h = elf_gnu_hash(name), nbuckets = gnu[0], symoffset = gnu[1],
			 bloom = gnu[2];
		const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)(gnu + 4) + bloom);
		const uint32_t *chain = buckets + nbuckets;

		if (!nbuckets)
			return NULL;
		for (uint32_t i = buckets[h % nbuckets]; i >= symoffset; i++) {
			uint32_t h2 = chain[i - symoffset];

			if ((h | 1) == (h2 | 1) && strcmp(name, strtab + symtab[i].st_name) == 0)
				return &symtab[i];
			if (h2 & 1)
				break;
		}
		return NULL;
	}
	if (sysv) {
		uint32_t nbucket = sysv[0];
		const uint32_t *bucket = sysv + 2, *chain = bucket + nbucket;

		for (uint32_t i = nbucket ? bucket[elf_sysv_hash(name) % nbucket] : 0; i;
		     i = chain[i])
			if (strcmp(name, strtab + symtab[i].st_name) == 0)
				return &symtab[i];
	}
	return NULL;
}

bool dyn_sym_exported(const ElfW(Sym) * sym)
{
	return sym && sym->st_shndx != SHN_UNDEF && sym->st_value != 0 &&
	       (ELF64_ST_BIND(sym->st_info) == STB_GLOBAL ||
		ELF64_ST_BIND(sym->st_info) == STB_WEAK);
}
