/*
 * A small, bounds-checked ELF reader: ELF32 and ELF64, either byte order,
 * with or without section headers.  It reads what ld.so reads (program
 * headers, the dynamic section, dynamic symbols, versions, dynamic
 * relocations) and, when present, .symtab.  It judges nothing.
 */
#ifndef PLUGKIT_ELFREAD_H
#define PLUGKIT_ELFREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elf_sym {
	const char *name;
	uint64_t value;
	uint16_t shndx;
	uint8_t bind, type, visibility;
	uint16_t versym;        /* raw .gnu.version entry; 0 without one */
	bool referenced;        /* named by a dynamic relocation */
};

/* One entry of DT_VERDEF or DT_VERNEED, by its version index. */
struct elf_version {
	uint16_t ndx;
	bool hidden;            /* VERSYM_HIDDEN in the verneed entry */
	bool base;              /* VER_FLG_BASE: the file's own name */
	uint32_t hash;
	const char *name;
	const char *file;       /* verneed: the library it comes from; verdef: NULL */
};

struct elf_file {
	char *path;
	dev_t dev;
	ino_t ino;
	const unsigned char *map;
	size_t size;
	bool is64, big_endian;
	uint16_t type, machine;

	bool has_dynamic;
	const char *soname, *rpath, *runpath;
	const char **needed;
	size_t n_needed;
	uint64_t flags, flags_1;
	bool textrel;

	struct elf_sym *dynsym;
	size_t n_dynsym;
	bool has_versym;
	struct elf_version *versions;
	size_t n_versions;

	size_t n_tpoff_relocs;  /* relocations that need static TLS */
	size_t n_tlsdesc_relocs; /* TLS descriptors (x86) */
	bool has_tls;
	uint64_t tls_memsz;
	bool exec_stack;        /* PT_GNU_STACK with PF_X, or no PT_GNU_STACK */
	bool wx_segment;        /* a PT_LOAD both writable and executable */

	/* .symtab, when the file has section headers and one */
	uint64_t symtab_off, symtab_entsize, symtab_count;
	uint64_t symtab_stroff, symtab_strsize;

	int *by_name;           /* dynsym indices sorted by name, built on demand */
};

/*
 * Opens and parses path.  Regular files only: a FIFO, directory or device
 * is refused before it is read.  Returns 0, or -1 with a message that names
 * the file in err.
 */
int elf_open(const char *path, struct elf_file *elf, char *err, size_t errlen);

/* What elf_open_parts reads: everything, or the program headers and
 * .symtab alone (no dynamic section, symbols or relocations). */
enum elf_parts { ELF_ALL, ELF_HEADERS_AND_SYMTAB };
int elf_open_parts(const char *path, enum elf_parts parts, struct elf_file *elf, char *err,
		   size_t errlen);
void elf_close(struct elf_file *elf);

/*
 * The dynamic symbol table entries named name (an object may define one
 * name in several versions): how many, with their indices in *idx.
 */
size_t elf_dynsym_lookup(struct elf_file *elf, const char *name, const int **idx);

/* The version of a versym index, or NULL for 0 and 1 (unversioned). */
const struct elf_version *elf_version(const struct elf_file *elf, uint16_t ndx);

/* Calls fn for every defined function (or untyped) .symtab symbol, local
 * ones included, until it returns true; returns whether it did. */
bool elf_symtab_any(const struct elf_file *elf, bool (*fn)(const char *name, void *arg),
		    void *arg);

/* The file's bytes that the address range [vaddr, vaddr + len) maps to,
 * inside one PT_LOAD; NULL when the range is not all in the file. */
const unsigned char *elf_bytes_at(const struct elf_file *elf, uint64_t vaddr, uint64_t len);

/* One dynamic relocation (DT_RELA, DT_REL or DT_JMPREL). */
struct elf_reloc {
	uint64_t offset;        /* r_offset: the address it writes */
	uint64_t sym;           /* dynsym index; 0 for none */
	uint32_t type;
	int64_t addend;         /* 0 for REL */
	bool plt;               /* from DT_JMPREL */
	bool tpoff;             /* fixes an offset into a static TLS block */
};

/* Calls fn for every dynamic relocation of a parsed file, in file order. */
void elf_each_reloc(const struct elf_file *elf, void (*fn)(const struct elf_reloc *, void *),
		    void *arg);

/* True for a dynsym entry that defines its symbol. */
bool elf_sym_defined(const struct elf_sym *sym);

#endif
