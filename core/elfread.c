/* The ELF reader: every offset, size and count is checked against the file. */
#include "elfread.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapfile.h"

/* No real object has this many dynamic entries, symbols or versions; past it
 * the file is hostile or broken, and refusing beats a long walk. */
#define ELF_MAX_ENTRIES (1u << 24)

struct reader {
	struct elf_file *elf;
	char *err;
	size_t errlen;
	/* Program headers, kept for address translation. */
	uint64_t phoff;
	uint16_t phnum, phentsize;
	/* The dynamic string table. */
	uint64_t stroff, strsz;
};

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "%s: ", r->elf->path);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool in_file(const struct elf_file *elf, uint64_t off, uint64_t len)
{
	return off <= elf->size && len <= elf->size - off;
}

static uint16_t rd16(const struct elf_file *elf, uint64_t off)
{
	const unsigned char *p = elf->map + off;

	return elf->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const struct elf_file *elf, uint64_t off)
{
	const unsigned char *p = elf->map + off;

	if (elf->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64(const struct elf_file *elf, uint64_t off)
{
	uint64_t hi = rd32(elf, off), lo = rd32(elf, off + 4);

	return elf->big_endian ? hi << 32 | lo : lo << 32 | hi;
}

/* A word of the file's class: 8 bytes in ELF64, 4 in ELF32. */
static uint64_t rdword(const struct elf_file *elf, uint64_t off)
{
	return elf->is64 ? rd64(elf, off) : rd32(elf, off);
}

/* A string of the dynamic string table, or NULL when it runs off the table. */
static const char *dynstr(const struct reader *r, uint64_t off)
{
	const char *s;

	if (off >= r->strsz)
		return NULL;
	s = (const char *)r->elf->map + r->stroff + off;
	return memchr(s, '\0', r->strsz - off) ? s : NULL;
}

/*
 * ld.so reaches everything named by an address through the PT_LOAD that
 * maps it; do the same, and insist the bytes are in the file.
 */
static bool vaddr_to_off(const struct reader *r, uint64_t vaddr, uint64_t len, uint64_t *off)
{
	const struct elf_file *elf = r->elf;

	for (uint16_t i = 0; i < r->phnum; i++) {
		uint64_t ph = r->phoff + (uint64_t)i * r->phentsize;
		uint64_t p_offset, p_vaddr, p_filesz;

		if (rd32(elf, ph) != PT_LOAD)
			continue;
		if (elf->is64) {
			p_offset = rd64(elf, ph + 8);
			p_vaddr = rd64(elf, ph + 16);
			p_filesz = rd64(elf, ph + 32);
		} else {
			p_offset = rd32(elf, ph + 4);
			p_vaddr = rd32(elf, ph + 8);
			p_filesz = rd32(elf, ph + 16);
		}
		if (vaddr < p_vaddr || vaddr - p_vaddr >= p_filesz)
			continue;
		if (len > p_filesz - (vaddr - p_vaddr))
			return false;
		*off = p_offset + (vaddr - p_vaddr);
		return in_file(elf, *off, len);
	}
	return false;
}

static int read_header(struct reader *r)
{
	struct elf_file *elf = r->elf;
	const unsigned char *id = elf->map;

	if (elf->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
		return fail(r, "not an ELF file");
	if (elf->size < EI_NIDENT)
		return fail(r, "truncated ELF header (%zu bytes)", elf->size);
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return fail(r, "unknown ELF class %u", id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB)
		return fail(r, "unknown ELF byte order %u", id[EI_DATA]);
	elf->is64 = id[EI_CLASS] == ELFCLASS64;
	elf->big_endian = id[EI_DATA] == ELFDATA2MSB;
	if (elf->size < (elf->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return fail(r, "truncated ELF header (%zu bytes)", elf->size);
	elf->type = rd16(elf, 16);
	elf->machine = rd16(elf, 18);
	r->phoff = elf->is64 ? rd64(elf, 32) : rd32(elf, 28);
	r->phentsize = rd16(elf, elf->is64 ? 54 : 42);
	r->phnum = rd16(elf, elf->is64 ? 56 : 44);
	if (r->phnum == 0)
		return 0;
	if (r->phentsize < (elf->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return fail(r, "program header entries of %u bytes are too small", r->phentsize);
	/* PN_XNUM (0xffff) would put the count in section 0: no loader does. */
	if (r->phnum == PN_XNUM || !in_file(elf, r->phoff, (uint64_t)r->phnum * r->phentsize))
		return fail(r, "program headers (%u at offset %llu) lie outside the file", r->phnum,
			    (unsigned long long)r->phoff);
	return 0;
}

/* PT_DYNAMIC, PT_TLS, PT_GNU_STACK, PT_LOAD flags.  Returns the
 * dynamic section's file range through *dyn_off / *dyn_size. */
static int read_program_headers(struct reader *r, uint64_t *dyn_off, uint64_t *dyn_size)
{
	struct elf_file *elf = r->elf;
	bool gnu_stack = false;

	*dyn_off = *dyn_size = 0;
	for (uint16_t i = 0; i < r->phnum; i++) {
		uint64_t ph = r->phoff + (uint64_t)i * r->phentsize;
		uint32_t p_type = rd32(elf, ph);
		uint32_t p_flags = rd32(elf, ph + (elf->is64 ? 4 : 24));
		uint64_t p_offset = rdword(elf, ph + (elf->is64 ? 8 : 4));
		uint64_t p_filesz = rdword(elf, ph + (elf->is64 ? 32 : 16));
		uint64_t p_memsz = rdword(elf, ph + (elf->is64 ? 40 : 20));

		switch (p_type) {
		case PT_DYNAMIC:
			if (!in_file(elf, p_offset, p_filesz))
				return fail(r, "PT_DYNAMIC lies outside the file");
			*dyn_off = p_offset;
			*dyn_size = p_filesz;
			elf->has_dynamic = true;
			break;
		case PT_TLS:
			elf->has_tls = true;
			elf->tls_memsz = p_memsz;
			break;
		case PT_GNU_STACK:
			gnu_stack = true;
			elf->exec_stack = (p_flags & PF_X) != 0;
			break;
		case PT_LOAD:
			if ((p_flags & (PF_W | PF_X)) == (PF_W | PF_X))
				elf->wx_segment = true;
			break;
		}
	}
	/* Without PT_GNU_STACK the kernel and ld.so assume an executable stack. */
	if (!gnu_stack && r->phnum)
		elf->exec_stack = true;
	return 0;
}

struct dyn {
	uint64_t strtab, strsz, symtab, syment, hash, gnu_hash;
	uint64_t versym, verdef, verdefnum, verneed, verneednum;
	uint64_t rela, relasz, relaent, rel, relsz, relent, jmprel, pltrelsz, pltrel;
	uint64_t soname, rpath, runpath;
	bool has_strtab, has_symtab, has_soname, has_rpath, has_runpath;
	size_t n_needed;
};

static int read_dynamic(struct reader *r, uint64_t off, uint64_t size, struct dyn *d)
{
	struct elf_file *elf = r->elf;
	uint64_t entsize = elf->is64 ? 16 : 8;
	uint64_t count = size / entsize;
	size_t k = 0;

	memset(d, 0, sizeof(*d));
	if (count > ELF_MAX_ENTRIES)
		return fail(r, "absurd dynamic section (%llu entries)", (unsigned long long)count);
	/* First pass: addresses and counts. */
	for (uint64_t i = 0; i < count; i++) {
		uint64_t tag = rdword(elf, off + i * entsize);
		uint64_t val = rdword(elf, off + i * entsize + entsize / 2);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED: d->n_needed++; break;
		case DT_STRTAB: d->strtab = val; d->has_strtab = true; break;
		case DT_STRSZ: d->strsz = val; break;
		case DT_SYMTAB: d->symtab = val; d->has_symtab = true; break;
		case DT_SYMENT: d->syment = val; break;
		case DT_HASH: d->hash = val; break;
		case DT_GNU_HASH: d->gnu_hash = val; break;
		case DT_VERSYM: d->versym = val; break;
		case DT_VERDEF: d->verdef = val; break;
		case DT_VERDEFNUM: d->verdefnum = val; break;
		case DT_VERNEED: d->verneed = val; break;
		case DT_VERNEEDNUM: d->verneednum = val; break;
		case DT_RELA: d->rela = val; break;
		case DT_RELASZ: d->relasz = val; break;
		case DT_RELAENT: d->relaent = val; break;
		case DT_REL: d->rel = val; break;
		case DT_RELSZ: d->relsz = val; break;
		case DT_RELENT: d->relent = val; break;
		case DT_JMPREL: d->jmprel = val; break;
		case DT_PLTRELSZ: d->pltrelsz = val; break;
		case DT_PLTREL: d->pltrel = val; break;
		case DT_SONAME: d->soname = val; d->has_soname = true; break;
		case DT_RPATH: d->rpath = val; d->has_rpath = true; break;
		case DT_RUNPATH: d->runpath = val; d->has_runpath = true; break;
		case DT_FLAGS: elf->flags = val; break;
		case DT_FLAGS_1: elf->flags_1 = val; break;
		case DT_TEXTREL: elf->textrel = true; break;
		}
	}
	if (elf->flags & DF_TEXTREL)
		elf->textrel = true;
	if (!d->has_strtab) {
		if (d->n_needed || d->has_soname || d->has_rpath || d->has_runpath)
			return fail(r, "dynamic section names strings but has no DT_STRTAB");
		return 0;
	}
	if (!vaddr_to_off(r, d->strtab, d->strsz, &r->stroff))
		return fail(r, "DT_STRTAB (%llu bytes) lies outside the file",
			    (unsigned long long)d->strsz);
	r->strsz = d->strsz;

	elf->needed = calloc(d->n_needed ? d->n_needed : 1, sizeof(*elf->needed));
	if (!elf->needed)
		return fail(r, "out of memory");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t tag = rdword(elf, off + i * entsize);
		uint64_t val = rdword(elf, off + i * entsize + entsize / 2);

		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED && k < d->n_needed) {
			if (!(elf->needed[k++] = dynstr(r, val)))
				return fail(r, "DT_NEEDED string offset %llu is outside DT_STRTAB",
					    (unsigned long long)val);
		}
	}
	elf->n_needed = k;
	if (d->has_soname && !(elf->soname = dynstr(r, d->soname)))
		return fail(r, "DT_SONAME is outside DT_STRTAB");
	if (d->has_rpath && !(elf->rpath = dynstr(r, d->rpath)))
		return fail(r, "DT_RPATH is outside DT_STRTAB");
	if (d->has_runpath && !(elf->runpath = dynstr(r, d->runpath)))
		return fail(r, "DT_RUNPATH is outside DT_STRTAB");
	return 0;
}

/*
 * How many dynamic symbols there are.  The dynamic section does not say:
 * DT_HASH's nchain does; with only DT_GNU_HASH, the highest index reached
 * through its buckets and chains does (as in ld.so's own walk).
 */
static int count_dynsyms(struct reader *r, const struct dyn *d, uint64_t *count)
{
	struct elf_file *elf = r->elf;
	uint64_t off;

	*count = 0;
	if (d->hash) {
		if (!vaddr_to_off(r, d->hash, 8, &off))
			return fail(r, "DT_HASH lies outside the file");
		*count = rd32(elf, off + 4);
		return 0;
	}
	if (d->gnu_hash) {
		uint32_t nbuckets, symoffset, bloom_size;
		uint64_t buckets, chains, words = elf->is64 ? 8 : 4, max = 0;

		if (!vaddr_to_off(r, d->gnu_hash, 16, &off))
			return fail(r, "DT_GNU_HASH lies outside the file");
		nbuckets = rd32(elf, off);
		symoffset = rd32(elf, off + 4);
		bloom_size = rd32(elf, off + 8);
		buckets = off + 16 + (uint64_t)bloom_size * words;
		if (nbuckets > ELF_MAX_ENTRIES || bloom_size > ELF_MAX_ENTRIES ||
		    !in_file(elf, buckets, (uint64_t)nbuckets * 4))
			return fail(r, "DT_GNU_HASH buckets lie outside the file");
		chains = buckets + (uint64_t)nbuckets * 4;
		for (uint32_t b = 0; b < nbuckets; b++) {
			uint32_t i = rd32(elf, buckets + (uint64_t)b * 4);

			if (i > max)
				max = i;
		}
		if (max < symoffset) {
			*count = symoffset;
			return 0;
		}
		/* Follow the last chain to its end bit. */
		for (;;) {
			uint64_t at = chains + (max - symoffset) * 4;

			if (max - symoffset > ELF_MAX_ENTRIES || !in_file(elf, at, 4))
				return fail(r, "DT_GNU_HASH chain runs outside the file");
			if (rd32(elf, at) & 1)
				break;
			max++;
		}
		*count = max + 1;
	}
	return 0;
}

/* Relocation types that fix a TLS offset from the thread pointer into the
 * object: they need the object's TLS in the static block. */
static bool is_tpoff_reloc(uint16_t machine, uint32_t type)
{
	static const struct {
		uint16_t machine;
		uint32_t types[4];
	} table[] = {
		{EM_X86_64, {R_X86_64_TPOFF64, R_X86_64_TPOFF32}},
		{EM_386, {R_386_TLS_TPOFF, R_386_TLS_TPOFF32}},
		{EM_AARCH64, {R_AARCH64_TLS_TPREL}},
		{EM_ARM, {R_ARM_TLS_TPOFF32}},
		{EM_PPC64, {R_PPC64_TPREL64}},
		{EM_PPC, {R_PPC_TPREL32}},
		{EM_RISCV, {R_RISCV_TLS_TPREL32, R_RISCV_TLS_TPREL64}},
		{EM_S390, {R_390_TLS_TPOFF}},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].machine != machine)
			continue;
		for (size_t j = 0; j < 4 && table[i].types[j]; j++)
			if (table[i].types[j] == type)
				return true;
	}
	return false;
}

/* TLS descriptor relocations on x86, where glibc before 2.40 clobbers the
 * caller's vector registers on the descriptor's slow path (BZ #31372). */
static bool is_tlsdesc_reloc(uint16_t machine, uint32_t type)
{
	return (machine == EM_X86_64 && type == R_X86_64_TLSDESC) ||
	       (machine == EM_386 && type == R_386_TLS_DESC);
}

/* The three tables of dynamic relocations: DT_RELA, DT_REL, DT_JMPREL. */
struct reloc_table {
	uint64_t addr, size, entsize;
	bool rela;
};

static void reloc_tables(const struct dyn *d, struct reloc_table t[3])
{
	t[0] = (struct reloc_table){d->rela, d->relasz, d->relaent, true};
	t[1] = (struct reloc_table){d->rel, d->relsz, d->relent, false};
	t[2] = (struct reloc_table){d->jmprel, d->pltrelsz, d->pltrel == DT_RELA ? d->relaent : d->relent,
				    d->pltrel == DT_RELA};
}

/*
 * Calls fn(sym, type) for every relocation of every table, after checking
 * the table lies in the file.
 */
static int walk_relocs(struct reader *r, const struct dyn *d,
		       void (*fn)(struct reader *, uint64_t sym, uint32_t type, void *), void *arg)
{
	struct elf_file *elf = r->elf;
	struct reloc_table t[3];

	reloc_tables(d, t);
	for (int k = 0; k < 3; k++) {
		uint64_t want = elf->is64 ? (t[k].rela ? 24 : 16) : (t[k].rela ? 12 : 8);
		uint64_t entsize = t[k].entsize ? t[k].entsize : want, off;

		if (!t[k].addr || !t[k].size)
			continue;
		if (entsize < want)
			return fail(r, "relocation entries of %llu bytes are too small",
				    (unsigned long long)entsize);
		if (!vaddr_to_off(r, t[k].addr, t[k].size, &off))
			return fail(r, "dynamic relocations lie outside the file");
		for (uint64_t i = 0; i < t[k].size / entsize; i++) {
			uint64_t info = rdword(elf, off + i * entsize + (elf->is64 ? 8 : 4));

			fn(r, elf->is64 ? info >> 32 : info >> 8,
			   elf->is64 ? (uint32_t)info : (uint32_t)(info & 0xff), arg);
		}
	}
	return 0;
}

static void note_max_symbol(struct reader *r, uint64_t sym, uint32_t type, void *arg)
{
	uint64_t *max = arg;

	(void)r;
	(void)type;
	if (sym > *max)
		*max = sym;
}

static void note_reloc(struct reader *r, uint64_t sym, uint32_t type, void *arg)
{
	struct elf_file *elf = r->elf;

	(void)arg;
	if (is_tpoff_reloc(elf->machine, type))
		elf->n_tpoff_relocs++;
	if (is_tlsdesc_reloc(elf->machine, type))
		elf->n_tlsdesc_relocs++;
	/* read_dynsyms sized the table to cover every index named here. */
	if (sym && sym < elf->n_dynsym)
		elf->dynsym[sym].referenced = true;
}

static int read_dynsyms(struct reader *r, const struct dyn *d)
{
	struct elf_file *elf = r->elf;
	uint64_t entsize = elf->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	uint64_t count, off, versym_off = 0;

	if (!d->has_symtab)
		return 0;
	if (d->syment && d->syment != entsize)
		return fail(r, "DT_SYMENT %llu is not %llu", (unsigned long long)d->syment,
			    (unsigned long long)entsize);
	uint64_t max_reloc_sym = 0;

	if (count_dynsyms(r, d, &count) != 0 || walk_relocs(r, d, note_max_symbol, &max_reloc_sym) != 0)
		return -1;
	/* The hash tables leave out what no lookup needs (a DT_GNU_HASH
	 * covers defined symbols only); relocations may name the rest. */
	if (max_reloc_sym >= count)
		count = max_reloc_sym + 1;
	if (count > ELF_MAX_ENTRIES)
		return fail(r, "absurd dynamic symbol count %llu", (unsigned long long)count);
	if (count == 0)
		return 0;
	if (!vaddr_to_off(r, d->symtab, count * entsize, &off))
		return fail(r, "%llu dynamic symbols at DT_SYMTAB run outside the file",
			    (unsigned long long)count);
	if (d->versym) {
		if (!vaddr_to_off(r, d->versym, count * 2, &versym_off))
			return fail(r, "DT_VERSYM runs outside the file");
		elf->has_versym = true;
	}
	elf->dynsym = calloc(count, sizeof(*elf->dynsym));
	if (!elf->dynsym)
		return fail(r, "out of memory");
	elf->n_dynsym = count;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t s = off + i * entsize;
		struct elf_sym *sym = &elf->dynsym[i];
		uint32_t st_name = rd32(elf, s);
		uint8_t info = elf->map[s + (elf->is64 ? 4 : 12)];
		uint8_t other = elf->map[s + (elf->is64 ? 5 : 13)];

		sym->name = dynstr(r, st_name);
		if (!sym->name)
			return fail(r, "dynamic symbol %llu has its name outside DT_STRTAB",
				    (unsigned long long)i);
		sym->shndx = rd16(elf, s + (elf->is64 ? 6 : 14));
		sym->value = elf->is64 ? rd64(elf, s + 8) : rd32(elf, s + 4);
		sym->bind = ELF64_ST_BIND(info);
		sym->type = ELF64_ST_TYPE(info);
		sym->visibility = ELF64_ST_VISIBILITY(other);
		sym->versym = elf->has_versym ? rd16(elf, versym_off + i * 2) : 0;
	}
	return 0;
}

static int add_version(struct reader *r, struct elf_version v)
{
	struct elf_file *elf = r->elf;
	struct elf_version *grown;

	if (elf->n_versions >= ELF_MAX_ENTRIES)
		return fail(r, "absurd number of symbol versions");
	grown = realloc(elf->versions, (elf->n_versions + 1) * sizeof(*grown));
	if (!grown)
		return fail(r, "out of memory");
	elf->versions = grown;
	elf->versions[elf->n_versions++] = v;
	return 0;
}

/* DT_VERDEF: Elf_Verdef records chained by vd_next, each naming its
 * version in the first Elf_Verdaux.  Same layout in both classes. */
static int read_verdef(struct reader *r, const struct dyn *d)
{
	struct elf_file *elf = r->elf;
	uint64_t off;

	if (!d->verdef)
		return 0;
	if (d->verdefnum > ELF_MAX_ENTRIES || !vaddr_to_off(r, d->verdef, 20, &off))
		return fail(r, "DT_VERDEF lies outside the file");
	for (uint64_t i = 0; i < d->verdefnum; i++) {
		uint16_t flags, ndx;
		uint32_t hash, aux, next, name;
		const char *s;

		if (!in_file(elf, off, 20))
			return fail(r, "DT_VERDEF entry %llu runs outside the file",
				    (unsigned long long)i);
		flags = rd16(elf, off + 2);
		ndx = rd16(elf, off + 4);
		hash = rd32(elf, off + 8);
		aux = rd32(elf, off + 12);
		next = rd32(elf, off + 16);
		if (!in_file(elf, off + aux, 8) || aux < 20)
			return fail(r, "DT_VERDEF auxiliary entry lies outside the file");
		name = rd32(elf, off + aux);
		if (!(s = dynstr(r, name)))
			return fail(r, "DT_VERDEF name is outside DT_STRTAB");
		if (add_version(r, (struct elf_version){.ndx = ndx & 0x7fff, .base = flags & VER_FLG_BASE,
							 .hash = hash, .name = s}) != 0)
			return -1;
		if (next == 0)
			break;
		off += next;
	}
	return 0;
}

/* DT_VERNEED: one Elf_Verneed per library, its versions in Elf_Vernaux. */
static int read_verneed(struct reader *r, const struct dyn *d)
{
	struct elf_file *elf = r->elf;
	uint64_t off;

	if (!d->verneed)
		return 0;
	if (d->verneednum > ELF_MAX_ENTRIES || !vaddr_to_off(r, d->verneed, 16, &off))
		return fail(r, "DT_VERNEED lies outside the file");
	for (uint64_t i = 0; i < d->verneednum; i++) {
		uint16_t cnt;
		uint32_t file, aux, next;
		const char *fname;
		uint64_t a;

		if (!in_file(elf, off, 16))
			return fail(r, "DT_VERNEED entry %llu runs outside the file",
				    (unsigned long long)i);
		cnt = rd16(elf, off + 2);
		file = rd32(elf, off + 4);
		aux = rd32(elf, off + 8);
		next = rd32(elf, off + 12);
		if (!(fname = dynstr(r, file)))
			return fail(r, "DT_VERNEED file name is outside DT_STRTAB");
		a = off + aux;
		for (uint16_t j = 0; j < cnt; j++) {
			uint32_t hash, name, anext;
			uint16_t other;
			const char *s;

			if (!in_file(elf, a, 16))
				return fail(r, "DT_VERNEED auxiliary entry runs outside the file");
			hash = rd32(elf, a);
			other = rd16(elf, a + 6);
			name = rd32(elf, a + 8);
			anext = rd32(elf, a + 12);
			if (!(s = dynstr(r, name)))
				return fail(r, "DT_VERNEED version name is outside DT_STRTAB");
			if (add_version(r, (struct elf_version){.ndx = other & 0x7fff,
								 .hidden = (other & 0x8000) != 0,
								 .hash = hash, .name = s, .file = fname}) != 0)
				return -1;
			if (anext == 0)
				break;
			a += anext;
		}
		if (next == 0)
			break;
		off += next;
	}
	return 0;
}

/* Section headers are optional (ld.so never reads them); use them only to
 * find .symtab, where hidden and local definitions still show. */
static int read_sections(struct reader *r)
{
	struct elf_file *elf = r->elf;
	uint64_t shoff = elf->is64 ? rd64(elf, 40) : rd32(elf, 32);
	uint16_t shentsize = rd16(elf, elf->is64 ? 58 : 46);
	uint64_t shnum = rd16(elf, elf->is64 ? 60 : 48);
	uint64_t want = elf->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);

	if (shoff == 0)
		return 0;
	if (shentsize < want || !in_file(elf, shoff, want))
		return fail(r, "section headers lie outside the file");
	if (shnum == 0) /* SHN_LORESERVE or more: the count is in section 0 */
		shnum = elf->is64 ? rd64(elf, shoff + 32) : rd32(elf, shoff + 20);
	if (shnum > ELF_MAX_ENTRIES || !in_file(elf, shoff, shnum * shentsize))
		return fail(r, "%llu section headers lie outside the file", (unsigned long long)shnum);
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t sh = shoff + i * shentsize;
		uint64_t off, size, entsize, link, lsh;

		if (rd32(elf, sh + 4) != SHT_SYMTAB)
			continue;
		off = elf->is64 ? rd64(elf, sh + 24) : rd32(elf, sh + 16);
		size = elf->is64 ? rd64(elf, sh + 32) : rd32(elf, sh + 20);
		link = rd32(elf, sh + (elf->is64 ? 40 : 24));
		entsize = elf->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
		if (!in_file(elf, off, size) || link >= shnum)
			return fail(r, ".symtab lies outside the file");
		lsh = shoff + link * shentsize;
		elf->symtab_stroff = elf->is64 ? rd64(elf, lsh + 24) : rd32(elf, lsh + 16);
		elf->symtab_strsize = elf->is64 ? rd64(elf, lsh + 32) : rd32(elf, lsh + 20);
		if (!in_file(elf, elf->symtab_stroff, elf->symtab_strsize))
			return fail(r, ".symtab's string table lies outside the file");
		elf->symtab_off = off;
		elf->symtab_entsize = entsize;
		elf->symtab_count = size / entsize;
		break;
	}
	return 0;
}

static int parse(struct reader *r, enum elf_parts parts)
{
	struct elf_file *elf = r->elf;
	uint64_t dyn_off, dyn_size;
	struct dyn d;

	if (read_header(r) != 0 || read_program_headers(r, &dyn_off, &dyn_size) != 0)
		return -1;
	if (elf->has_dynamic && parts == ELF_ALL) {
		if (read_dynamic(r, dyn_off, dyn_size, &d) != 0 || read_dynsyms(r, &d) != 0 ||
		    read_verdef(r, &d) != 0 || read_verneed(r, &d) != 0 ||
		    walk_relocs(r, &d, note_reloc, NULL) != 0)
			return -1;
	}
	return read_sections(r);
}

int elf_open(const char *path, struct elf_file *elf, char *err, size_t errlen)
{
	return elf_open_parts(path, ELF_ALL, elf, err, errlen);
}

int elf_open_parts(const char *path, enum elf_parts parts, struct elf_file *elf, char *err,
		   size_t errlen)
{
	struct reader r = {.elf = elf, .err = err, .errlen = errlen};
	struct mapped m;

	memset(elf, 0, sizeof(*elf));
	if (map_file(path, &m, err, errlen) != 0)
		return -1;
	elf->map = m.data;
	elf->size = m.size;
	elf->dev = m.dev;
	elf->ino = m.ino;
	elf->path = strdup(path);
	if (!elf->path)
		fail(&r, "out of memory");
	else if (parse(&r, parts) == 0)
		return 0;
	elf_close(elf);
	return -1;
}

void elf_close(struct elf_file *elf)
{
	struct mapped m = {.data = elf->map, .size = elf->size};

	unmap_file(&m);
	free(elf->path);
	free(elf->needed);
	free(elf->dynsym);
	free(elf->versions);
	free(elf->by_name);
	memset(elf, 0, sizeof(*elf));
}

bool elf_sym_defined(const struct elf_sym *sym)
{
	return sym->shndx != SHN_UNDEF;
}

/* qsort_r, not qsort: the sort's state lives with the file, so that two
 * threads reading two files never share it. */
static int by_name_cmp(const void *a, const void *b, void *arg)
{
	const struct elf_file *elf = arg;

	return strcmp(elf->dynsym[*(const int *)a].name, elf->dynsym[*(const int *)b].name);
}

static int name_cmp(const struct elf_file *elf, int i, const char *name)
{
	return strcmp(elf->dynsym[i].name, name);
}

size_t elf_dynsym_lookup(struct elf_file *elf, const char *name, const int **idx)
{
	size_t lo = 0, hi = elf->n_dynsym, n = 0;

	*idx = NULL;
	if (!elf->n_dynsym)
		return 0;
	if (!elf->by_name) {
		elf->by_name = malloc(elf->n_dynsym * sizeof(int));
		if (!elf->by_name)
			return 0;
		for (size_t i = 0; i < elf->n_dynsym; i++)
			elf->by_name[i] = (int)i;
		qsort_r(elf->by_name, elf->n_dynsym, sizeof(int), by_name_cmp, elf);
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (name_cmp(elf, elf->by_name[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < elf->n_dynsym && name_cmp(elf, elf->by_name[lo + n], name) == 0)
		n++;
	*idx = elf->by_name + lo;
	return n;
}

const struct elf_version *elf_version(const struct elf_file *elf, uint16_t ndx)
{
	ndx &= 0x7fff;
	if (ndx <= 1)
		return NULL;
	for (size_t i = 0; i < elf->n_versions; i++)
		if (elf->versions[i].ndx == ndx)
			return &elf->versions[i];
	return NULL;
}

bool elf_symtab_any(const struct elf_file *elf, bool (*fn)(const char *name, void *arg), void *arg)
{
	for (uint64_t i = 1; i < elf->symtab_count; i++) {
		uint64_t s = elf->symtab_off + i * elf->symtab_entsize;
		uint32_t st_name = rd32(elf, s);
		uint16_t shndx = rd16(elf, s + (elf->is64 ? 6 : 14));
		uint8_t type = ELF64_ST_TYPE(elf->map[s + (elf->is64 ? 4 : 12)]);
		const char *name;

		/* Code only: sections, files and data are not what is asked for. */
		if (shndx == SHN_UNDEF || st_name >= elf->symtab_strsize ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE))
			continue;
		name = (const char *)elf->map + elf->symtab_stroff + st_name;
		if (!memchr(name, '\0', elf->symtab_strsize - st_name))
			continue;
		if (fn(name, arg))
			return true;
	}
	return false;
}

/*
 * After parsing, for checks that follow an address (a relocation's target,
 * a PLT stub's GOT slot).  elf_open validated the program headers; they are
 * located again from the ELF header rather than kept in every elf_file.
 */
static struct reader reader_of(const struct elf_file *elf)
{
	return (struct reader){.elf = (struct elf_file *)elf,
			       .phoff = elf->is64 ? rd64(elf, 32) : rd32(elf, 28),
			       .phentsize = rd16(elf, elf->is64 ? 54 : 42),
			       .phnum = rd16(elf, elf->is64 ? 56 : 44)};
}

const unsigned char *elf_bytes_at(const struct elf_file *elf, uint64_t vaddr, uint64_t len)
{
	struct reader r = reader_of(elf);
	uint64_t off;

	return elf->map && vaddr_to_off(&r, vaddr, len, &off) ? elf->map + off : NULL;
}

void elf_each_reloc(const struct elf_file *elf, void (*fn)(const struct elf_reloc *, void *),
		    void *arg)
{
	struct reader r = reader_of(elf);
	struct reloc_table t[3];
	struct dyn d = {0};
	uint64_t dyn_off = 0, dyn_size = 0, entsize = elf->is64 ? 16 : 8;

	if (!elf->has_dynamic)
		return;
	for (uint16_t i = 0; i < r.phnum; i++) {
		uint64_t ph = r.phoff + (uint64_t)i * r.phentsize;

		if (rd32(elf, ph) == PT_DYNAMIC) {
			dyn_off = rdword(elf, ph + (elf->is64 ? 8 : 4));
			dyn_size = rdword(elf, ph + (elf->is64 ? 32 : 16));
		}
	}
	for (uint64_t i = 0; i < dyn_size / entsize; i++) {
		uint64_t tag = rdword(elf, dyn_off + i * entsize);
		uint64_t val = rdword(elf, dyn_off + i * entsize + entsize / 2);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_RELA: d.rela = val; break;
		case DT_RELASZ: d.relasz = val; break;
		case DT_RELAENT: d.relaent = val; break;
		case DT_REL: d.rel = val; break;
		case DT_RELSZ: d.relsz = val; break;
		case DT_RELENT: d.relent = val; break;
		case DT_JMPREL: d.jmprel = val; break;
		case DT_PLTRELSZ: d.pltrelsz = val; break;
		case DT_PLTREL: d.pltrel = val; break;
		}
	}
	reloc_tables(&d, t);
	for (int k = 0; k < 3; k++) {
		uint64_t want = elf->is64 ? (t[k].rela ? 24 : 16) : (t[k].rela ? 12 : 8);
		uint64_t ent = t[k].entsize ? t[k].entsize : want, off, word = elf->is64 ? 8 : 4;

		/* elf_open walked these tables already and refused bad ones. */
		if (!t[k].addr || !t[k].size || ent < want || !vaddr_to_off(&r, t[k].addr, t[k].size, &off))
			continue;
		for (uint64_t i = 0; i < t[k].size / ent; i++) {
			uint64_t at = off + i * ent, info = rdword(elf, at + word);
			struct elf_reloc rel = {
				.offset = rdword(elf, at),
				.sym = elf->is64 ? info >> 32 : info >> 8,
				.type = elf->is64 ? (uint32_t)info : (uint32_t)(info & 0xff),
				.addend = t[k].rela ? (int64_t)rdword(elf, at + 2 * word) : 0,
				.plt = k == 2,
			};

			rel.tpoff = is_tpoff_reloc(elf->machine, rel.type);

			fn(&rel, arg);
		}
	}
}
