/* Following a function's first direct call through the PLT. */
#include "forward.h"

#include <elf.h>
#include <string.h>

/* How far into a function a forwarder's call may sit: a stub spends a few
 * instructions on endbr64/bti, a frame and an argument check (rounding a
 * size to the alignment), no more. */
#define SCAN_BYTES 64

/*
 * The code a forwarder's call may sit in: the function's own bytes (its
 * st_size, so that a scan never runs on into the next function's calls),
 * at most SCAN_BYTES, and no further than its segment's bytes in the file
 * (a short function last in .text).  NULL when none is there.
 */
static const unsigned char *code_at(const struct elf_file *elf, uint64_t addr, uint64_t size,
				    size_t *len)
{
	const unsigned char *b = NULL;

	for (*len = size && size < SCAN_BYTES ? (size_t)size : SCAN_BYTES;
	     *len && !(b = elf_bytes_at(elf, addr, *len)); (*len)--)
		;
	return b;
}

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

struct slot_lookup {
	uint64_t slot, sym;
};

/* The JUMP_SLOT (lazy PLT) or GLOB_DAT (.plt.got, -z now) relocation
 * that fills the GOT slot: the symbol the stub reaches. */
static void match_slot(const struct elf_reloc *rel, void *arg)
{
	struct slot_lookup *l = arg;

	if (rel->offset == l->slot && rel->sym && !l->sym)
		l->sym = rel->sym;
}

/* The symbol that fills the GOT slot, when wanted accepts its name. */
static uint64_t slot_symbol(const struct elf_file *elf, uint64_t slot, bool (*wanted)(const char *))
{
	struct slot_lookup l = {.slot = slot};

	elf_each_reloc(elf, match_slot, &l);
	return l.sym && l.sym < elf->n_dynsym && wanted(elf->dynsym[l.sym].name) ? l.sym : 0;
}

/* x86_64 PLT stub: [endbr64] [bnd] jmp *slot(%rip). */
static uint64_t x86_64_plt_slot(const struct elf_file *elf, uint64_t at)
{
	const unsigned char *b = elf_bytes_at(elf, at, 16);
	size_t o = 0;

	if (!b)
		return 0;
	if (memcmp(b, "\xf3\x0f\x1e\xfa", 4) == 0)
		o += 4;
	if (b[o] == 0xf2)
		o++;
	if (b[o] != 0xff || b[o + 1] != 0x25)
		return 0;
	return at + o + 6 + (uint64_t)(int64_t)(int32_t)le32(b + o + 2);
}

static uint64_t x86_64_forward(const struct elf_file *elf, uint64_t addr, uint64_t size,
			       bool (*wanted)(const char *))
{
	size_t len;
	const unsigned char *b = code_at(elf, addr, size, &len);

	if (!b)
		return 0;
	/* A byte-wise scan: a stray E8/E9 inside another instruction would
	 * also have to land exactly on a PLT stub to count. */
	for (size_t o = 0; o + 5 <= len; o++) {
		uint64_t target, slot, sym;

		if (b[o] != 0xe8 && b[o] != 0xe9)
			continue;
		target = addr + o + 5 + (uint64_t)(int64_t)(int32_t)le32(b + o + 1);
		if ((slot = x86_64_plt_slot(elf, target)) && (sym = slot_symbol(elf, slot, wanted)))
			return sym;
	}
	return 0;
}

/* AArch64 PLT stub: [bti c] adrp x16, page; ldr x17, [x16, #off]; ... */
static uint64_t aarch64_plt_slot(const struct elf_file *elf, uint64_t at)
{
	const unsigned char *b = elf_bytes_at(elf, at, 12);
	uint32_t adrp, ldr;
	int64_t page;

	if (!b)
		return 0;
	if (le32(b) == 0xd503245f)
		b += 4, at += 4;
	adrp = le32(b);
	ldr = le32(b + 4);
	if ((adrp & 0x9f00001f) != 0x90000010 || (ldr & 0xffc003ff) != 0xf9400211)
		return 0;
	/* immhi:immlo, 21 bits, signed, in 4 KiB pages */
	page = (int64_t)((uint64_t)((((adrp >> 5) & 0x7ffff) << 2) | ((adrp >> 29) & 3)) << 43) >>
	       31;
	return (at & ~(uint64_t)0xfff) + (uint64_t)page + ((ldr >> 10) & 0xfff) * 8;
}

static uint64_t aarch64_forward(const struct elf_file *elf, uint64_t addr, uint64_t size,
				bool (*wanted)(const char *))
{
	size_t len;
	const unsigned char *b = code_at(elf, addr, size, &len);

	if (!b)
		return 0;
	for (size_t o = 0; o + 4 <= len; o += 4) {
		uint32_t insn = le32(b + o);
		uint64_t slot, sym;

		/* b imm26 / bl imm26 */
		if ((insn & 0x7c000000) != 0x14000000)
			continue;
		slot = aarch64_plt_slot(elf,
					addr + o + (uint64_t)(int64_t)((int32_t)(insn << 6) >> 4));
		if (slot && (sym = slot_symbol(elf, slot, wanted)))
			return sym;
	}
	return 0;
}

uint64_t forwarded_to(const struct elf_file *elf, uint64_t addr, uint64_t size,
		      bool (*wanted)(const char *name))
{
	if (elf->big_endian)
		return 0;
	switch (elf->machine) {
	case EM_X86_64: return x86_64_forward(elf, addr, size, wanted);
	case EM_AARCH64: return aarch64_forward(elf, addr, size, wanted);
	}
	return 0;
}
