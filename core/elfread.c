/* The ELF reader: every offset, size and count is checked against the file. */
#include "elfread.h"

#include <elf.h>
#include <errno.h>
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
	enum elf_parts parts;
	char *err;
	size_t errlen;
	bool changed; /* a read came up short: the file shrank */
	int error;    /* errno for the caller: see elf_open */
	/* Program headers, kept for address translation. */
	uint64_t phoff;
	uint16_t phnum, phentsize;
	/* The dynamic string table; terminated: its last byte is a NUL, so
	 * every string that starts in it ends in it. */
	uint64_t stroff, strsz;
	bool str_terminated;
	/* Version entries read so far, bounded by the file's size. */
	uint64_t version_entries;
};

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "%s: ", r->elf->path);

	/* Whatever looked wrong, a short read means the file changed. */
	if (r->changed) {
		if (n >= 0 && (size_t)n < r->errlen)
			snprintf(r->err + n, r->errlen - n,
				 "the file shrank or changed while it was read");
		return -1;
	}
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whether [off, off + len) lies in the file, without reading it. */
static bool fits(const struct elf_file *elf, uint64_t off, uint64_t len)
{
	return off <= elf->size && len <= elf->size - off;
}

/* Whether [off, off + len) lies in the file, reading it in when the copy is
 * sparse: every byte the reader looks at passes through here first. */
static bool in_file(struct reader *r, uint64_t off, uint64_t len)
{
	if (!fits(r->elf, off, len))
		return false;
	if (r->elf->src.pages && !map_range(&r->elf->src, off, len)) {
		r->changed = true;
		return false;
	}
	return true;
}

/* Byte order by swapping whole words (memcpy is one load): the relocation
 * walk reads millions of these in a scan of /usr/lib. */
static bool host_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

static uint16_t rd16(const struct elf_file *elf, uint64_t off)
{
	uint16_t v;

	memcpy(&v, elf->map + off, 2);
	return elf->big_endian != host_big_endian() ? __builtin_bswap16(v) : v;
}

static uint32_t rd32(const struct elf_file *elf, uint64_t off)
{
	uint32_t v;

	memcpy(&v, elf->map + off, 4);
	return elf->big_endian != host_big_endian() ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct elf_file *elf, uint64_t off)
{
	uint64_t v;

	memcpy(&v, elf->map + off, 8);
	return elf->big_endian != host_big_endian() ? __builtin_bswap64(v) : v;
}

/* A word of the file's class: 8 bytes in ELF64, 4 in ELF32. */
static uint64_t rdword(const struct elf_file *elf, uint64_t off)
{
	return elf->is64 ? rd64(elf, off) : rd32(elf, off);
}

/* The string at off in the table [base, base + size), or NULL when it runs
 * off the table.  Read a little at a time: a sparse copy reads the string,
 * not the table. */
static const char *str_in(struct reader *r, uint64_t base, uint64_t size, uint64_t off)
{
	const char *s;
	uint64_t left, seen = 0, want = 128;

	if (off >= size)
		return NULL;
	s = (const char *)r->elf->map + base + off;
	left = size - off;
	for (;;) {
		uint64_t n = want < left ? want : left;

		if (!in_file(r, base + off + seen, n - seen))
			return NULL;
		if (memchr(s + seen, '\0', n - seen))
			return s;
		if (n == left)
			return NULL;
		seen = n;
		want *= 8;
	}
}

/* A string of the dynamic string table, or NULL when it runs off the table. */
static const char *dynstr(struct reader *r, uint64_t off)
{
	/* A whole copy with a terminated table: no string needs a search
	 * (the check costs one memchr per symbol otherwise). */
	if (r->str_terminated && !r->elf->src.pages)
		return off < r->strsz ? (const char *)r->elf->map + r->stroff + off : NULL;
	return str_in(r, r->stroff, r->strsz, off);
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
		return fits(elf, *off, len);
	}
	return false;
}

static int read_header(struct reader *r)
{
	struct elf_file *elf = r->elf;
	const unsigned char *id = elf->map;

	if (!in_file(r, 0, elf->size < sizeof(Elf64_Ehdr) ? elf->size : sizeof(Elf64_Ehdr)))
		return fail(r, "cannot read the ELF header");
	if (elf->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0) {
		r->error = ENOEXEC;
		return fail(r, "not an ELF file");
	}
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
	if (r->phnum == PN_XNUM || !in_file(r, r->phoff, (uint64_t)r->phnum * r->phentsize))
		return fail(r, "program headers (%u at offset %llu) lie outside the file", r->phnum,
			    (unsigned long long)r->phoff);
	return 0;
}

/*
 * PT_DYNAMIC, PT_TLS, PT_GNU_STACK, PT_GNU_RELRO, PT_LOAD flags.  Returns
 * the dynamic section's file range through *dyn_off / *dyn_size.
 *
 * A PT_LOAD whose bytes are not all in the file is refused: the kernel maps
 * it anyway, and the first touch of the missing pages (by ld.so applying
 * relocations, or the plugin's code) kills the process with SIGBUS.  That is
 * what a truncated copy or a broken link step produces.
 */
static int read_program_headers(struct reader *r, uint64_t *dyn_off, uint64_t *dyn_size)
{
	struct elf_file *elf = r->elf;
	bool gnu_stack = false;

	*dyn_off = *dyn_size = 0;
	elf->stack_flags = elf->relro_flags = -1;
	for (uint16_t i = 0; i < r->phnum; i++) {
		uint64_t ph = r->phoff + (uint64_t)i * r->phentsize;
		uint32_t p_type = rd32(elf, ph);
		uint32_t p_flags = rd32(elf, ph + (elf->is64 ? 4 : 24));
		uint64_t p_offset = rdword(elf, ph + (elf->is64 ? 8 : 4));
		uint64_t p_filesz = rdword(elf, ph + (elf->is64 ? 32 : 16));
		uint64_t p_memsz = rdword(elf, ph + (elf->is64 ? 40 : 20));

		switch (p_type) {
		case PT_DYNAMIC:
			if (!fits(elf, p_offset, p_filesz))
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
			elf->stack_flags = (int)(p_flags & (PF_R | PF_W | PF_X));
			break;
		case PT_GNU_RELRO: elf->relro_flags = (int)(p_flags & (PF_R | PF_W | PF_X)); break;
		case PT_LOAD:
			if (p_filesz && !fits(elf, p_offset, p_filesz))
				return fail(
					r,
					"loadable segment %u (offset %llu, %llu bytes) lies outside the "
					"file (%zu bytes): it is truncated, and loading it would die of "
					"SIGBUS",
					i, (unsigned long long)p_offset,
					(unsigned long long)p_filesz, elf->size);
			if ((p_flags & (PF_W | PF_X)) == (PF_W | PF_X))
				elf->wx_segment = true;
			if (elf->n_loads < ELF_MAX_LOADS)
				elf->load_flags[elf->n_loads++] =
					(uint8_t)(p_flags & (PF_R | PF_W | PF_X));
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
	uint64_t relacount, relcount;
	uint64_t soname, rpath, runpath;
	bool has_strtab, has_symtab, has_soname, has_rpath, has_runpath;
	size_t n_needed;
};

static int read_dynamic(struct reader *r, uint64_t off, uint64_t size, struct dyn *d)
{
	struct elf_file *elf = r->elf;
	uint64_t entsize = elf->is64 ? 16 : 8;
	uint64_t count = size / entsize, needed_end = 0;
	size_t k = 0;

	memset(d, 0, sizeof(*d));
	if (count > ELF_MAX_ENTRIES)
		return fail(r, "absurd dynamic section (%llu entries)", (unsigned long long)count);
	if (!in_file(r, off, count * entsize))
		return fail(r, "PT_DYNAMIC lies outside the file");
	/* First pass: addresses and counts. */
	for (uint64_t i = 0; i < count; i++) {
		uint64_t tag = rdword(elf, off + i * entsize);
		uint64_t val = rdword(elf, off + i * entsize + entsize / 2);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			d->n_needed++;
			needed_end = i + 1;
			break;
		case DT_STRTAB:
			d->strtab = val;
			d->has_strtab = true;
			break;
		case DT_STRSZ: d->strsz = val; break;
		case DT_SYMTAB:
			d->symtab = val;
			d->has_symtab = true;
			break;
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
		case DT_RELACOUNT: d->relacount = val; break;
		case DT_REL: d->rel = val; break;
		case DT_RELSZ: d->relsz = val; break;
		case DT_RELENT: d->relent = val; break;
		case DT_RELCOUNT: d->relcount = val; break;
		case DT_JMPREL: d->jmprel = val; break;
		case DT_PLTRELSZ: d->pltrelsz = val; break;
		case DT_PLTREL: d->pltrel = val; break;
		case DT_SONAME:
			d->soname = val;
			d->has_soname = true;
			break;
		case DT_RPATH:
			d->rpath = val;
			d->has_rpath = true;
			break;
		case DT_RUNPATH:
			d->runpath = val;
			d->has_runpath = true;
			break;
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
	r->str_terminated = r->strsz && in_file(r, r->stroff + r->strsz - 1, 1) &&
			    elf->map[r->stroff + r->strsz - 1] == '\0';

	elf->needed = calloc(d->n_needed ? d->n_needed : 1, sizeof(*elf->needed));
	if (!elf->needed)
		return fail(r, "out of memory");
	/* Second pass: the DT_NEEDED strings, which come first as a rule. */
	for (uint64_t i = 0; i < needed_end; i++) {
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
 * Where the file's hash table is and how many dynamic symbols there are.
 * The dynamic section does not say: DT_HASH's nchain does; with only
 * DT_GNU_HASH, the highest index reached through its buckets and chains
 * does (as in ld.so's own walk).  ld.so prefers DT_GNU_HASH.
 */
static int read_hash(struct reader *r, const struct dyn *d, uint64_t *count)
{
	struct elf_file *elf = r->elf;
	struct elf_hash *h = &elf->hash;
	uint64_t off;

	*count = 0;
	if (d->gnu_hash) {
		uint64_t words = elf->is64 ? 8 : 4, max = 0;

		if (!vaddr_to_off(r, d->gnu_hash, 16, &off) || !in_file(r, off, 16))
			return fail(r, "DT_GNU_HASH lies outside the file");
		h->nbuckets = rd32(elf, off);
		h->symoffset = rd32(elf, off + 4);
		h->bloom_size = rd32(elf, off + 8);
		h->bloom_shift = rd32(elf, off + 12);
		h->bloom = off + 16;
		h->buckets = h->bloom + (uint64_t)h->bloom_size * words;
		if (h->nbuckets > ELF_MAX_ENTRIES || h->bloom_size > ELF_MAX_ENTRIES ||
		    !in_file(r, h->bloom,
			     (uint64_t)h->bloom_size * words + (uint64_t)h->nbuckets * 4))
			return fail(r, "DT_GNU_HASH buckets lie outside the file");
		h->chains = h->buckets + (uint64_t)h->nbuckets * 4;
		h->kind = ELF_HASH_GNU;
		for (uint32_t b = 0; b < h->nbuckets; b++) {
			uint32_t i = rd32(elf, h->buckets + (uint64_t)b * 4);

			if (i > max)
				max = i;
		}
		if (max < h->symoffset) {
			*count = h->end = h->symoffset;
			return 0;
		}
		/* Follow the last chain to its end bit. */
		for (;;) {
			uint64_t at = h->chains + (max - h->symoffset) * 4;

			if (max - h->symoffset > ELF_MAX_ENTRIES || !in_file(r, at, 4))
				return fail(r, "DT_GNU_HASH chain runs outside the file");
			if (rd32(elf, at) & 1)
				break;
			max++;
		}
		*count = h->end = max + 1;
		return 0;
	}
	if (d->hash) {
		if (!vaddr_to_off(r, d->hash, 8, &off) || !in_file(r, off, 8))
			return fail(r, "DT_HASH lies outside the file");
		h->nbuckets = rd32(elf, off);
		*count = h->end = rd32(elf, off + 4);
		h->buckets = off + 8;
		h->chains = h->buckets + (uint64_t)h->nbuckets * 4;
		if (*count <= ELF_MAX_ENTRIES && h->nbuckets <= ELF_MAX_ENTRIES &&
		    in_file(r, h->buckets, ((uint64_t)h->nbuckets + *count) * 4))
			h->kind = ELF_HASH_SYSV;
	}
	return 0;
}

/*
 * Beyond what a linker builds, a hash table is not used for lookups: a chain
 * longer than this, chains that share entries or loop, or indices outside
 * the table would make every lookup a long walk.  Such a file (and one with
 * no hash table) gets a sorted index instead, so that lookups stay
 * logarithmic whatever the input.
 */
#define ELF_MAX_CHAIN 128

static bool hash_usable(const struct elf_file *elf)
{
	const struct elf_hash *h = &elf->hash;
	uint64_t steps = 0;

	if (h->kind == ELF_HASH_NONE || h->nbuckets == 0 || h->end > elf->n_dynsym)
		return false;
	if (h->kind == ELF_HASH_GNU) {
		/* ld.so masks with bloom_size - 1: a power of two. */
		if (h->bloom_size == 0 || (h->bloom_size & (h->bloom_size - 1)) ||
		    h->symoffset == 0 || h->end <= h->symoffset)
			return false;
		for (uint32_t b = 0; b < h->nbuckets; b++) {
			uint64_t i = rd32(elf, h->buckets + (uint64_t)b * 4), len = 0;

			if (i == 0)
				continue;
			if (i < h->symoffset)
				return false;
			for (;; i++) {
				if (i >= h->end || ++len > ELF_MAX_CHAIN || ++steps > h->end)
					return false;
				if (rd32(elf, h->chains + (i - h->symoffset) * 4) & 1)
					break;
			}
		}
		return true;
	}
	for (uint32_t b = 0; b < h->nbuckets; b++) {
		uint64_t len = 0;

		for (uint64_t i = rd32(elf, h->buckets + (uint64_t)b * 4); i;
		     i = rd32(elf, h->chains + i * 4))
			if (i >= h->end || ++len > ELF_MAX_CHAIN || ++steps > h->end)
				return false;
	}
	return true;
}

/* qsort_r, not qsort: the sort's state lives with the file, so that two
 * threads reading two files never share it. */
static int by_name_cmp(const void *a, const void *b, void *arg)
{
	const struct elf_file *elf = arg;

	return strcmp(elf->dynsym[*(const uint32_t *)a].name,
		      elf->dynsym[*(const uint32_t *)b].name);
}

/* The entries a DT_GNU_HASH leaves out, by the same hash: a plugin's
 * undefined references are looked up by name for every allocator function,
 * and a linear walk would cost names x references. */
static int index_head(struct reader *r)
{
	struct elf_file *elf = r->elf;
	uint32_t n = elf->hash.symoffset, size = 4;

	if (n <= 1)
		return 0;
	while (size < 2 * n)
		size *= 2;
	elf->head = calloc(size, sizeof(*elf->head));
	if (!elf->head)
		return fail(r, "out of memory");
	elf->head_mask = size - 1;
	for (uint32_t i = 1; i < n; i++) {
		uint32_t slot = elf_gnu_hash(elf->dynsym[i].name) & elf->head_mask;

		while (elf->head[slot])
			slot = (slot + 1) & elf->head_mask;
		elf->head[slot] = i;
	}
	return 0;
}

/* Lookups through the hash table, or the sorted index where there is none
 * to trust; done once, at open, so that lookups never write. */
static int index_symbols(struct reader *r)
{
	struct elf_file *elf = r->elf;

	if (hash_usable(elf))
		return elf->hash.kind == ELF_HASH_GNU ? index_head(r) : 0;
	elf->hash.kind = ELF_HASH_NONE;
	if (!elf->n_dynsym)
		return 0;
	elf->by_name = malloc(elf->n_dynsym * sizeof(*elf->by_name));
	if (!elf->by_name)
		return fail(r, "out of memory");
	for (size_t i = 0; i < elf->n_dynsym; i++)
		elf->by_name[i] = (uint32_t)i;
	qsort_r(elf->by_name, elf->n_dynsym, sizeof(*elf->by_name), by_name_cmp, elf);
	/* A lookup walks every entry of its name: as for a hash chain, more
	 * than any linker writes is refused (n references x n definitions). */
	for (size_t i = 0, run = 1; i + 1 < elf->n_dynsym; i++) {
		run = strcmp(elf->dynsym[elf->by_name[i]].name,
			     elf->dynsym[elf->by_name[i + 1]].name)
			      ? 1
			      : run + 1;
		if (run > ELF_MAX_CHAIN && elf->dynsym[elf->by_name[i]].name[0])
			return fail(r, "more than %d dynamic symbols share the name '%s'",
				    ELF_MAX_CHAIN, elf->dynsym[elf->by_name[i]].name);
	}
	return 0;
}

/* Relocation types that fix a TLS offset from the thread pointer into the
 * object (they need the object's TLS in the static block), and the TLS
 * descriptor type on x86, where glibc before 2.40 clobbers the caller's
 * vector registers on the descriptor's slow path (BZ #31372). */
struct tls_types {
	uint32_t tpoff[2], desc;
};

static struct tls_types tls_types(uint16_t machine)
{
	/* 0 is R_*_NONE on every machine: it matches nothing real. */
	switch (machine) {
	case EM_X86_64:
		return (struct tls_types){{R_X86_64_TPOFF64, R_X86_64_TPOFF32}, R_X86_64_TLSDESC};
	case EM_386:
		return (struct tls_types){{R_386_TLS_TPOFF, R_386_TLS_TPOFF32}, R_386_TLS_DESC};
	case EM_AARCH64: return (struct tls_types){{R_AARCH64_TLS_TPREL, 0}, 0};
	case EM_ARM: return (struct tls_types){{R_ARM_TLS_TPOFF32, 0}, 0};
	case EM_PPC64: return (struct tls_types){{R_PPC64_TPREL64, 0}, 0};
	case EM_PPC: return (struct tls_types){{R_PPC_TPREL32, 0}, 0};
	case EM_RISCV: return (struct tls_types){{R_RISCV_TLS_TPREL32, R_RISCV_TLS_TPREL64}, 0};
	case EM_S390: return (struct tls_types){{R_390_TLS_TPOFF, 0}, 0};
	}
	return (struct tls_types){{0, 0}, 0};
}

/* The three tables of dynamic relocations: DT_RELA, DT_REL, DT_JMPREL.
 * The first DT_RELACOUNT / DT_RELCOUNT entries are relative relocations:
 * ld.so applies them without reading their type or symbol, and so do we. */
struct reloc_table {
	uint64_t addr, size, entsize, skip;
	bool rela;
};

static void reloc_tables(const struct dyn *d, struct reloc_table t[3])
{
	t[0] = (struct reloc_table){d->rela, d->relasz, d->relaent, d->relacount, true};
	t[1] = (struct reloc_table){d->rel, d->relsz, d->relent, d->relcount, false};
	t[2] = (struct reloc_table){d->jmprel, d->pltrelsz,
				    d->pltrel == DT_RELA ? d->relaent : d->relent, 0,
				    d->pltrel == DT_RELA};
}

/* What one pass over the relocations does. */
enum reloc_pass { RELOC_MAX_SYMBOL, RELOC_NOTE };

/* A sparse copy reads the tables a piece at a time and gives each piece
 * back: libLLVM's 9 MB of relocations cost 256 KiB of memory, not 9 MB. */
#define RELOC_CHUNK (256u * 1024)

/*
 * For every relocation of every table (after checking the table lies in the
 * file): RELOC_MAX_SYMBOL finds the highest symbol index named; RELOC_NOTE
 * counts the static-TLS and descriptor relocations and marks the symbols
 * named as referenced.
 */
static int walk_relocs(struct reader *r, const struct dyn *d, enum reloc_pass pass, uint64_t *max)
{
	struct elf_file *elf = r->elf;
	struct tls_types tt = tls_types(elf->machine);
	struct reloc_table t[3];

	reloc_tables(d, t);
	for (int k = 0; k < 3; k++) {
		uint64_t want = elf->is64 ? (t[k].rela ? 24 : 16) : (t[k].rela ? 12 : 8);
		uint64_t entsize = t[k].entsize ? t[k].entsize : want, off, n, info_at;

		if (!t[k].addr || !t[k].size)
			continue;
		if (entsize < want)
			return fail(r, "relocation entries of %llu bytes are too small",
				    (unsigned long long)entsize);
		if (!vaddr_to_off(r, t[k].addr, t[k].size, &off))
			return fail(r, "dynamic relocations lie outside the file");
		n = t[k].size / entsize;
		info_at = off + (elf->is64 ? 8 : 4);
		for (uint64_t i = t[k].skip < n ? t[k].skip : n; i < n;) {
			uint64_t start = i, end = i + RELOC_CHUNK / entsize;

			if (end > n)
				end = n;
			if (!in_file(r, off + i * entsize, (end - i) * entsize))
				return fail(r, "dynamic relocations lie outside the file");
			for (; i < end; i++) {
				uint64_t info = elf->is64 ? rd64(elf, info_at + i * entsize)
							  : rd32(elf, info_at + i * entsize);
				uint64_t sym = elf->is64 ? info >> 32 : info >> 8;
				uint32_t type =
					elf->is64 ? (uint32_t)info : (uint32_t)(info & 0xff);

				if (pass == RELOC_MAX_SYMBOL) {
					if (sym > *max)
						*max = sym;
					continue;
				}
				if (type && (type == tt.tpoff[0] || type == tt.tpoff[1]))
					elf->n_tpoff_relocs++;
				else if (type && type == tt.desc)
					elf->n_tlsdesc_relocs++;
				/* read_dynsyms sized the table to cover every index named. */
				if (sym && sym < elf->n_dynsym)
					elf->dynsym[sym].referenced = true;
			}
			map_drop(&elf->src, off + start * entsize, (end - start) * entsize);
		}
	}
	return 0;
}

static int read_dynsyms(struct reader *r, const struct dyn *d)
{
	struct elf_file *elf = r->elf;
	uint64_t entsize = elf->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	uint64_t count, off, versym_off = 0, max_reloc_sym = 0;

	if (!d->has_symtab)
		return 0;
	if (d->syment && d->syment != entsize)
		return fail(r, "DT_SYMENT %llu is not %llu", (unsigned long long)d->syment,
			    (unsigned long long)entsize);
	if (read_hash(r, d, &count) != 0 ||
	    walk_relocs(r, d, RELOC_MAX_SYMBOL, &max_reloc_sym) != 0)
		return -1;
	/* The hash tables leave out what no lookup needs (a DT_GNU_HASH
	 * covers defined symbols only); relocations may name the rest. */
	if (max_reloc_sym >= count)
		count = max_reloc_sym + 1;
	if (count > ELF_MAX_ENTRIES)
		return fail(r, "absurd dynamic symbol count %llu", (unsigned long long)count);
	if (count == 0)
		return 0;
	if (!vaddr_to_off(r, d->symtab, count * entsize, &off) || !in_file(r, off, count * entsize))
		return fail(r, "%llu dynamic symbols at DT_SYMTAB run outside the file",
			    (unsigned long long)count);
	if (d->versym) {
		if (!vaddr_to_off(r, d->versym, count * 2, &versym_off) ||
		    !in_file(r, versym_off, count * 2))
			return fail(r, "DT_VERSYM runs outside the file");
		elf->has_versym = true;
	}
	elf->dynsym = malloc(count * sizeof(*elf->dynsym));
	if (!elf->dynsym)
		return fail(r, "out of memory");
	elf->n_dynsym = count;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t s = off + i * entsize;
		struct elf_sym *sym = &elf->dynsym[i];
		uint8_t info = elf->map[s + (elf->is64 ? 4 : 12)];
		uint8_t other = elf->map[s + (elf->is64 ? 5 : 13)];

		sym->name = dynstr(r, rd32(elf, s));
		if (!sym->name)
			return fail(r, "dynamic symbol %llu has its name outside DT_STRTAB",
				    (unsigned long long)i);
		sym->shndx = rd16(elf, s + (elf->is64 ? 6 : 14));
		sym->value = elf->is64 ? rd64(elf, s + 8) : rd32(elf, s + 4);
		sym->size = elf->is64 ? rd64(elf, s + 16) : rd32(elf, s + 8);
		sym->bind = ELF64_ST_BIND(info);
		sym->type = ELF64_ST_TYPE(info);
		sym->visibility = ELF64_ST_VISIBILITY(other);
		sym->versym = elf->has_versym ? rd16(elf, versym_off + i * 2) : 0;
		sym->referenced = false;
	}
	return 0;
}

/*
 * Version entries are bounded by the file: a file of N bytes holds at most
 * N / 16 auxiliary entries (16 bytes each), so reading more means entries
 * share a chain, where a loader would walk the shared chain once per entry
 * (65535 x 256 versions from 1.6 MB).  The list grows geometrically.
 */
struct version_list {
	size_t cap; /* entries allocated in elf->versions */
};

static int count_version_entry(struct reader *r, uint64_t off, const char *what)
{
	if (++r->version_entries > r->elf->size / 16)
		return fail(r,
			    "%s at offset %llu: more version entries than the file can hold "
			    "(entries share a chain)",
			    what, (unsigned long long)off);
	return 0;
}

static int add_version(struct reader *r, struct version_list *list, struct elf_version v)
{
	struct elf_file *elf = r->elf;

	if (elf->n_versions >= list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 16;
		struct elf_version *grown = realloc(elf->versions, cap * sizeof(*grown));

		if (!grown)
			return fail(r, "out of memory");
		elf->versions = grown;
		list->cap = cap;
	}
	elf->versions[elf->n_versions++] = v;
	return 0;
}

/* DT_VERDEF: Elf_Verdef records chained by vd_next, each naming its
 * version in the first Elf_Verdaux.  Same layout in both classes. */
static int read_verdef(struct reader *r, const struct dyn *d, struct version_list *list)
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

		if (!in_file(r, off, 20))
			return fail(r, "DT_VERDEF entry %llu runs outside the file",
				    (unsigned long long)i);
		if (count_version_entry(r, off, "DT_VERDEF entry") != 0)
			return -1;
		flags = rd16(elf, off + 2);
		ndx = rd16(elf, off + 4);
		hash = rd32(elf, off + 8);
		aux = rd32(elf, off + 12);
		next = rd32(elf, off + 16);
		if (!in_file(r, off + aux, 8) || aux < 20)
			return fail(r, "DT_VERDEF auxiliary entry lies outside the file");
		name = rd32(elf, off + aux);
		if (!(s = dynstr(r, name)))
			return fail(r, "DT_VERDEF name is outside DT_STRTAB");
		if (add_version(r, list,
				(struct elf_version){.ndx = ndx & 0x7fff,
						     .base = flags & VER_FLG_BASE,
						     .hash = hash,
						     .name = s}) != 0)
			return -1;
		if (next == 0)
			break;
		off += next;
	}
	return 0;
}

/* DT_VERNEED: one Elf_Verneed per library, its versions in Elf_Vernaux. */
static int read_verneed(struct reader *r, const struct dyn *d, struct version_list *list)
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

		if (!in_file(r, off, 16))
			return fail(r, "DT_VERNEED entry %llu runs outside the file",
				    (unsigned long long)i);
		if (count_version_entry(r, off, "DT_VERNEED entry") != 0)
			return -1;
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

			if (!in_file(r, a, 16))
				return fail(r, "DT_VERNEED auxiliary entry runs outside the file");
			if (count_version_entry(r, a, "DT_VERNEED auxiliary entry") != 0)
				return -1;
			hash = rd32(elf, a);
			other = rd16(elf, a + 6);
			name = rd32(elf, a + 8);
			anext = rd32(elf, a + 12);
			if (!(s = dynstr(r, name)))
				return fail(r, "DT_VERNEED version name is outside DT_STRTAB");
			if (add_version(r, list,
					(struct elf_version){.ndx = other & 0x7fff,
							     .hidden = (other & 0x8000) != 0,
							     .hash = hash,
							     .name = s,
							     .file = fname}) != 0)
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

/* Both version tables, then an index by version number so that a symbol's
 * version is one array read (the first entry of a number wins). */
static int read_versions(struct reader *r, const struct dyn *d)
{
	struct elf_file *elf = r->elf;
	struct version_list list = {0};
	uint16_t max = 0;
	int rc = 0;

	if (read_verdef(r, d, &list) != 0 || read_verneed(r, d, &list) != 0)
		rc = -1;
	if (rc != 0 || !elf->n_versions)
		return rc;
	for (size_t i = 0; i < elf->n_versions; i++)
		if (elf->versions[i].ndx > max)
			max = elf->versions[i].ndx;
	elf->ver_by_ndx = calloc((size_t)max + 1, sizeof(*elf->ver_by_ndx));
	if (!elf->ver_by_ndx)
		return fail(r, "out of memory");
	elf->n_ver_by_ndx = (size_t)max + 1;
	for (size_t i = elf->n_versions; i-- > 0;)
		elf->ver_by_ndx[elf->versions[i].ndx] = (uint32_t)i + 1;
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
	if (shentsize < want || !in_file(r, shoff, want))
		return fail(r, "section headers lie outside the file");
	if (shnum == 0) /* SHN_LORESERVE or more: the count is in section 0 */
		shnum = elf->is64 ? rd64(elf, shoff + 32) : rd32(elf, shoff + 20);
	if (shnum > ELF_MAX_ENTRIES || !in_file(r, shoff, shnum * shentsize))
		return fail(r, "%llu section headers lie outside the file",
			    (unsigned long long)shnum);
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t sh = shoff + i * shentsize;
		uint64_t off, size, entsize, link, lsh;

		if (rd32(elf, sh + 4) != SHT_SYMTAB)
			continue;
		off = elf->is64 ? rd64(elf, sh + 24) : rd32(elf, sh + 16);
		size = elf->is64 ? rd64(elf, sh + 32) : rd32(elf, sh + 20);
		link = rd32(elf, sh + (elf->is64 ? 40 : 24));
		entsize = elf->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
		if (!in_file(r, off, size) || link >= shnum)
			return fail(r, ".symtab lies outside the file");
		lsh = shoff + link * shentsize;
		elf->symtab_stroff = elf->is64 ? rd64(elf, lsh + 24) : rd32(elf, lsh + 16);
		elf->symtab_strsize = elf->is64 ? rd64(elf, lsh + 32) : rd32(elf, lsh + 20);
		if (!in_file(r, elf->symtab_stroff, elf->symtab_strsize))
			return fail(r, ".symtab's string table lies outside the file");
		elf->symtab_off = off;
		elf->symtab_entsize = entsize;
		elf->symtab_count = size / entsize;
		break;
	}
	return 0;
}

/*
 * ELF_JUDGE: what libplugkit's judgement before dlopen asks of a file
 * first.  Not its relocations (what it needs of static TLS is at most its
 * TLS block, and ELF_SCAN counts the rest when that matters); its dynamic
 * symbols only when it has no .symtab, which shows every definition, and
 * then without versions (the judgement matches names).
 */
static int read_judged(struct reader *r, uint64_t dyn_off, uint64_t dyn_size)
{
	struct elf_file *elf = r->elf;
	struct dyn d;

	if (read_dynamic(r, dyn_off, dyn_size, &d) != 0 || read_sections(r) != 0)
		return -1;
	if (elf->symtab_count)
		return 0;
	if (read_dynsyms(r, &d) != 0)
		return -1;
	/* read_hash followed only the last DT_GNU_HASH chain; lookups walk
	 * them all, and a sparse copy reads them now or never. */
	if (elf->hash.kind == ELF_HASH_GNU && elf->hash.end > elf->hash.symoffset &&
	    !in_file(r, elf->hash.chains, (elf->hash.end - elf->hash.symoffset) * 4))
		return fail(r, "DT_GNU_HASH chains lie outside the file");
	return index_symbols(r);
}

static int parse(struct reader *r)
{
	struct elf_file *elf = r->elf;
	uint64_t dyn_off, dyn_size;
	struct dyn d;

	if (read_header(r) != 0 || read_program_headers(r, &dyn_off, &dyn_size) != 0)
		return -1;
	if (elf->has_dynamic && r->parts == ELF_SCAN)
		return read_dynamic(r, dyn_off, dyn_size, &d) != 0 ||
				       walk_relocs(r, &d, RELOC_NOTE, NULL) != 0
			       ? -1
			       : 0;
	if (elf->has_dynamic && r->parts == ELF_JUDGE)
		return read_judged(r, dyn_off, dyn_size);
	if (elf->has_dynamic && r->parts == ELF_ALL) {
		if (read_dynamic(r, dyn_off, dyn_size, &d) != 0 || read_dynsyms(r, &d) != 0 ||
		    index_symbols(r) != 0 || read_versions(r, &d) != 0 ||
		    walk_relocs(r, &d, RELOC_NOTE, NULL) != 0)
			return -1;
	}
	return r->parts == ELF_SCAN ? 0 : read_sections(r);
}

int elf_open(const char *path, struct elf_file *elf, char *err, size_t errlen)
{
	return elf_open_parts(path, ELF_ALL, elf, err, errlen);
}

/* Parses the bytes elf->map points to (elf->size, dev and ino set), or
 * closes elf; errno says why it failed (see elf_open). */
static int parse_bytes(struct elf_file *elf, enum elf_parts parts, const char *path, char *err,
		       size_t errlen)
{
	struct reader r = {.elf = elf,
			   .parts = parts,
			   .err = err,
			   .errlen = errlen,
			   .error = EBADMSG};

	elf->path = strdup(path);
	if (!elf->path) {
		r.error = ENOMEM;
		fail(&r, "out of memory");
	} else if (parse(&r) == 0) {
		map_finish(&elf->src);
		return 0;
	}
	elf_close(elf);
	errno = r.changed ? EIO : r.error;
	return -1;
}

/* Parses what elf->src holds, or closes it. */
static int parse_copy(struct elf_file *elf, enum elf_parts parts, const char *path, char *err,
		      size_t errlen)
{
	elf->map = elf->src.data;
	elf->size = elf->src.size;
	elf->dev = elf->src.dev;
	elf->ino = elf->src.ino;
	return parse_bytes(elf, parts, path, err, errlen);
}

/* After the mapping failed: elf cleared, errno kept. */
static int not_opened(struct elf_file *elf)
{
	int e = errno;

	memset(elf, 0, sizeof(*elf));
	errno = e;
	return -1;
}

int elf_open_parts(const char *path, enum elf_parts parts, struct elf_file *elf, char *err,
		   size_t errlen)
{
	memset(elf, 0, sizeof(*elf));
	if ((parts == ELF_ALL ? map_file(path, &elf->src, err, errlen)
			      : map_file_sparse(path, &elf->src, err, errlen)) != 0)
		return not_opened(elf);
	return parse_copy(elf, parts, path, err, errlen);
}

int elf_scan_at(struct map_arena *arena, int dirfd, const char *name, const char *path, int oflags,
		struct elf_file *elf, char *err, size_t errlen)
{
	memset(elf, 0, sizeof(*elf));
	if (map_file_at(arena, dirfd, name, path, oflags, &elf->src, err, errlen) != 0)
		return not_opened(elf);
	return parse_copy(elf, ELF_SCAN, path, err, errlen);
}

int elf_open_copy(const char *path, const unsigned char *bytes, size_t size, dev_t dev, ino_t ino,
		  enum elf_parts parts, struct elf_file *elf, char *err, size_t errlen)
{
	memset(elf, 0, sizeof(*elf));
	/* Nothing to read, close or unmap: the bytes stay the caller's. */
	elf->src.fd = -1;
	elf->map = bytes;
	elf->size = size;
	elf->dev = dev;
	elf->ino = ino;
	return parse_bytes(elf, parts, path, err, errlen);
}

void elf_close(struct elf_file *elf)
{
	void *owned[] = {elf->path,       elf->needed,  elf->dynsym, elf->versions,
			 elf->ver_by_ndx, elf->by_name, elf->head};

	unmap_file(&elf->src);
	/* A file read in part (ELF_JUDGE, ELF_SCAN) leaves most of them NULL,
	 * and free(NULL) is a call into the host's allocator all the same
	 * (libplugkit closes a file per judgement). */
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (owned[i])
			free(owned[i]);
	memset(elf, 0, sizeof(*elf));
}

bool elf_sym_defined(const struct elf_sym *sym)
{
	return sym->shndx != SHN_UNDEF;
}

uint32_t elf_gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = h * 33 + *p;
	return h;
}

uint32_t elf_sysv_hash(const char *s)
{
	uint32_t h = 0, g;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* Lookup stages, in order: the entries a DT_GNU_HASH leaves out before its
 * first hashed symbol (ELF_LOOKUP_ALL), the hash chain or the sorted run,
 * then entries past the table that only relocations name (ELF_LOOKUP_ALL). */
enum { STAGE_HEAD, STAGE_CHAIN, STAGE_TAIL, STAGE_DONE };

/* Where the chain for it->name starts: a symbol index, or 0 for none. */
static void start_chain(const struct elf_file *elf, struct elf_lookup *it)
{
	const struct elf_hash *h = &elf->hash;

	it->stage = STAGE_CHAIN;
	it->at = 0;
	if (h->kind == ELF_HASH_GNU) {
		unsigned bits = elf->is64 ? 64 : 32;
		uint64_t word, mask;

		word = elf->is64
			       ? rd64(elf, h->bloom + (it->hash / bits & (h->bloom_size - 1)) * 8)
			       : rd32(elf, h->bloom + (it->hash / bits & (h->bloom_size - 1)) * 4);
		/* ld.so shifts the 32-bit hash by the file's bloom_shift
		 * unchecked; x86_64 and AArch64 shift instructions use only
		 * the count's low five bits, so that is what it sees for a
		 * count of 32 or more (which C leaves undefined). */
		mask = (uint64_t)1 << (it->hash % bits) |
		       (uint64_t)1 << ((it->hash >> (h->bloom_shift & 31)) % bits);
		/* The Bloom filter answers most misses without a chain walk. */
		if ((word & mask) == mask)
			it->at = rd32(elf, h->buckets + (uint64_t)(it->hash % h->nbuckets) * 4);
	} else if (h->kind == ELF_HASH_SYSV) {
		it->hash = elf_sysv_hash(it->name);
		it->at = rd32(elf, h->buckets + (uint64_t)(it->hash % h->nbuckets) * 4);
	} else {
		size_t lo = 0, hi = elf->n_dynsym;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(elf->dynsym[elf->by_name[mid]].name, it->name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		it->at = lo;
	}
}

/* The next chain entry named it->name, or -1 at the chain's end. */
static long next_in_chain(const struct elf_file *elf, struct elf_lookup *it)
{
	const struct elf_hash *h = &elf->hash;

	if (h->kind == ELF_HASH_GNU) {
		/* index_symbols checked every chain ends inside the table. */
		while (it->at) {
			uint64_t i = it->at;
			uint32_t ch = rd32(elf, h->chains + (i - h->symoffset) * 4);

			it->at = ch & 1 ? 0 : i + 1;
			if ((ch | 1) == (it->hash | 1) &&
			    strcmp(elf->dynsym[i].name, it->name) == 0)
				return (long)i;
		}
	} else if (h->kind == ELF_HASH_SYSV) {
		while (it->at) {
			uint64_t i = it->at;

			it->at = rd32(elf, h->chains + i * 4);
			if (strcmp(elf->dynsym[i].name, it->name) == 0)
				return (long)i;
		}
	} else if (it->at < elf->n_dynsym &&
		   strcmp(elf->dynsym[elf->by_name[it->at]].name, it->name) == 0) {
		return (long)elf->by_name[it->at++];
	}
	return -1;
}

/* The next head entry named it->name: a probe of elf->head from it->at. */
static long next_in_head(const struct elf_file *elf, struct elf_lookup *it)
{
	if (!elf->head)
		return -1;
	for (;;) {
		uint32_t i = elf->head[it->at & elf->head_mask];

		it->at++;
		if (!i)
			return -1;
		if (strcmp(elf->dynsym[i].name, it->name) == 0)
			return i;
	}
}

long elf_lookup_next(const struct elf_file *elf, struct elf_lookup *it)
{
	for (;;) {
		long i;

		switch (it->stage) {
		case STAGE_HEAD:
			if ((i = next_in_head(elf, it)) >= 0)
				return i;
			start_chain(elf, it);
			break;
		case STAGE_CHAIN:
			if ((i = next_in_chain(elf, it)) >= 0)
				return i;
			it->stage = STAGE_TAIL;
			it->at = it->end = 0;
			/* The sorted index reaches everything. */
			if (it->what == ELF_LOOKUP_ALL && elf->hash.kind != ELF_HASH_NONE) {
				it->at = elf->hash.end;
				it->end = elf->n_dynsym;
			}
			break;
		case STAGE_TAIL:
			while (it->at < it->end)
				if (strcmp(elf->dynsym[it->at++].name, it->name) == 0)
					return (long)it->at - 1;
			it->stage = STAGE_DONE;
			break;
		default: return -1;
		}
	}
}

long elf_lookup_first(const struct elf_file *elf, const char *name, enum elf_lookup_what what,
		      struct elf_lookup *it)
{
	return elf_lookup_first_hashed(elf, name,
				       elf->hash.kind == ELF_HASH_GNU ? elf_gnu_hash(name) : 0,
				       what, it);
}

long elf_lookup_first_hashed(const struct elf_file *elf, const char *name, uint32_t gnu_hash,
			     enum elf_lookup_what what, struct elf_lookup *it)
{
	*it = (struct elf_lookup){.name = name, .what = what, .stage = STAGE_CHAIN};
	if (!elf->n_dynsym) {
		it->stage = STAGE_DONE;
		return -1;
	}
	if (elf->hash.kind == ELF_HASH_GNU) {
		it->hash = gnu_hash;
		/* DT_GNU_HASH hashes only the entries from symoffset on: the
		 * undefined references sit before it, in elf->head. */
		if (what == ELF_LOOKUP_ALL) {
			it->stage = STAGE_HEAD;
			it->at = it->hash;
			return elf_lookup_next(elf, it);
		}
	}
	start_chain(elf, it);
	return elf_lookup_next(elf, it);
}

const struct elf_version *elf_version(const struct elf_file *elf, uint16_t ndx)
{
	ndx &= 0x7fff;
	if (ndx <= 1 || ndx >= elf->n_ver_by_ndx || !elf->ver_by_ndx[ndx])
		return NULL;
	return &elf->versions[elf->ver_by_ndx[ndx] - 1];
}

bool elf_symtab_code_any(const struct elf_file *elf, const struct elf_name_filter *filter,
			 bool (*fn)(const char *name, bool defined, void *arg), void *arg)
{
	/* Code only: sections, files and data are not what is asked for. */
	const uint32_t code = 1u << STT_FUNC | 1u << STT_GNU_IFUNC | 1u << STT_NOTYPE;
	const unsigned char *sym, *end;
	const char *strtab;
	uint64_t strsize = elf->symtab_strsize, entsize = elf->symtab_entsize,
		 info_at = elf->is64 ? 4 : 12, shndx_at = elf->is64 ? 6 : 14;
	bool terminated, swap = elf->big_endian != host_big_endian();

	if (elf->symtab_count < 2)
		return false;
	strtab = (const char *)elf->map + elf->symtab_stroff;
	/* A table whose last byte is a NUL ends every string that starts in
	 * it: no string needs a search of its own. */
	terminated = strsize && strtab[strsize - 1] == '\0';
	end = elf->map + elf->symtab_off + elf->symtab_count * entsize;
	/* Run for every symbol of every file judged: the byte order is
	 * settled once, and the cheapest tests come first. */
	for (sym = elf->map + elf->symtab_off + entsize; sym < end; sym += entsize) {
		uint32_t st_name;
		uint16_t shndx;
		const char *name;

		if (!(code >> ELF64_ST_TYPE(sym[info_at]) & 1))
			continue;
		memcpy(&st_name, sym, 4);
		if (swap)
			st_name = __builtin_bswap32(st_name);
		name = strtab + st_name;
		if (st_name >= strsize || (!terminated && !memchr(name, '\0', strsize - st_name)))
			continue;
		if (filter && !elf_name_passes(filter, name))
			continue;
		/* SHN_UNDEF is 0 in either byte order. */
		memcpy(&shndx, sym + shndx_at, 2);
		if (fn(name, shndx != SHN_UNDEF, arg))
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
	struct tls_types tt = tls_types(elf->machine);
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
		if (!t[k].addr || !t[k].size || ent < want ||
		    !vaddr_to_off(&r, t[k].addr, t[k].size, &off))
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

			rel.tpoff =
				rel.type && (rel.type == tt.tpoff[0] || rel.type == tt.tpoff[1]);

			fn(&rel, arg);
		}
	}
}
