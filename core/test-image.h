/*
 * ELF shared objects and executables made in memory, for the tests of the
 * reader (core/test-elfread.c) and of the ld.so simulation
 * (checker/test-ldso.c): ELF32 or ELF64, either byte order, with the
 * dynamic entries, symbols and versions a test asks for.
 */
#ifndef PLUGKIT_TEST_IMAGE_H
#define PLUGKIT_TEST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_NEEDED 4
#define IMAGE_MAX_SYMS 8
#define IMAGE_MAX_VERSIONS 4

/* One dynamic symbol (index 0, the null symbol, is implicit). */
struct image_sym {
	const char *name;
	bool undefined;     /* else defined in section 1 at a non-zero address */
	uint8_t bind, type; /* 0, 0: STB_GLOBAL, STT_FUNC */
	uint16_t versym;    /* its .gnu.version entry (0x8000: hidden) */
};

/* A version: defined here (file NULL: DT_VERDEF) or needed from file
 * (DT_VERNEED).  ndx is its index in .gnu.version; 0x8000 marks a needed
 * version hidden. */
struct image_version {
	const char *name;
	uint16_t ndx;
	const char *file;
};

struct image_spec {
	bool elf32, big; /* ELF64 little-endian unless asked */
	uint16_t type;   /* 0: ET_DYN */
	const char *needed[IMAGE_MAX_NEEDED];
	const char *soname, *rpath, *runpath;
	uint64_t flags, flags_1;
	uint64_t tls_memsz; /* a PT_TLS of this size, when not 0 */
	struct image_sym syms[IMAGE_MAX_SYMS];
	struct image_version versions[IMAGE_MAX_VERSIONS];
};

struct image {
	unsigned char buf[2048];
	size_t size;
	bool is64, big;
	/* where the builder put things, for the tests that break them */
	size_t phoff, dynoff, strtab_off, hash_off;
};

/*
 * Lays the file out as a linker would, one PT_LOAD over all of it at
 * address 0: ELF header, program headers (PT_LOAD, PT_DYNAMIC, PT_GNU_STACK
 * and PT_TLS if asked), the dynamic section (DT_NEEDED first, in order,
 * then DT_SONAME, DT_RPATH, DT_RUNPATH, DT_STRTAB, ...), .dynstr, .dynsym,
 * DT_HASH, then .gnu.version, DT_VERDEF (with the base entry at index 1)
 * and DT_VERNEED when the spec has versions.
 */
void image_build(struct image *im, const struct image_spec *spec);

/* Writes data to dir/name and returns the path (valid until the next
 * call); fails the running cmocka test when it cannot. */
const char *image_write(const char *dir, const char *name, const void *data, size_t size);

/* Puts the low bytes of v at off, in the image's byte order. */
void image_put(struct image *im, size_t off, uint64_t v, int bytes);

#endif
