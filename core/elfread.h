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

#include "mapfile.h"

struct elf_sym {
	const char *name;
	uint64_t value;
	uint64_t size; /* st_size: a function's length in bytes; 0 when not known */
	uint16_t shndx;
	uint8_t bind, type, visibility;
	uint16_t versym; /* raw .gnu.version entry; 0 without one */
	bool referenced; /* named by a dynamic relocation */
};

/* One entry of DT_VERDEF or DT_VERNEED, by its version index. */
struct elf_version {
	uint16_t ndx;
	bool hidden; /* VERSYM_HIDDEN in the verneed entry */
	bool base;   /* VER_FLG_BASE: the file's own name */
	uint32_t hash;
	const char *name;
	const char *file; /* verneed: the library it comes from; verdef: NULL */
};

/* Where the file's own symbol hash table is (offsets into map), as ld.so
 * uses it: DT_GNU_HASH when present, else DT_HASH. */
enum elf_hash_kind { ELF_HASH_NONE, ELF_HASH_GNU, ELF_HASH_SYSV };
struct elf_hash {
	enum elf_hash_kind kind;
	uint32_t nbuckets;
	uint64_t buckets, chains;
	uint32_t symoffset; /* GNU: the first hashed symbol */
	uint32_t bloom_size, bloom_shift;
	uint64_t bloom;
	uint64_t end; /* the first symbol index past the table */
};

#define ELF_MAX_LOADS 8

struct elf_file {
	char *path;
	dev_t dev;
	ino_t ino;
	const unsigned char *map; /* the file's bytes (see mapfile.h) */
	size_t size;
	struct mapped src;
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

	size_t n_tpoff_relocs;   /* relocations that need static TLS */
	size_t n_tlsdesc_relocs; /* TLS descriptors (x86) */
	bool has_tls;
	uint64_t tls_memsz;
	bool exec_stack; /* PT_GNU_STACK with PF_X, or no PT_GNU_STACK */
	bool wx_segment; /* a PT_LOAD both writable and executable */
	/* PF_R|PF_W|PF_X of PT_GNU_STACK, PT_GNU_RELRO and each PT_LOAD
	 * (the first ELF_MAX_LOADS), for scan; -1 when there is none. */
	int stack_flags, relro_flags;
	uint8_t load_flags[ELF_MAX_LOADS];
	size_t n_loads;

	/* .symtab, when the file has section headers and one */
	uint64_t symtab_off, symtab_entsize, symtab_count;
	uint64_t symtab_stroff, symtab_strsize;

	/* Lookups: the file's hash table, or (only where it has none, or one
	 * whose chains no loader would build) dynsym indices sorted by name.
	 * Both are set up by elf_open: lookups never change the object. */
	struct elf_hash hash;
	uint32_t *by_name;
	/* With DT_GNU_HASH, the entries before symoffset (the undefined
	 * references it leaves out) in a hash table of their own: slots of
	 * dynsym indices (0: empty), head_mask + 1 of them. */
	uint32_t *head;
	uint32_t head_mask;
	/* Version entries by index: ver_by_ndx[ndx] - 1 indexes versions. */
	uint32_t *ver_by_ndx;
	size_t n_ver_by_ndx;
};

/*
 * Opens and parses path.  Regular files only: a FIFO, directory or device
 * is refused before it is read.  Returns 0, or -1 with a message that names
 * the file in err and errno saying what kind of failure it was: ENOEXEC for
 * a file that is not ELF at all (or empty), EBADMSG for a broken ELF file,
 * EIO when it changed while being read, ENOMEM, or the error of opening it
 * (EISDIR and ENODEV for what is not a regular file).
 */
int elf_open(const char *path, struct elf_file *elf, char *err, size_t errlen);

/*
 * What elf_open_parts reads:
 *  - ELF_ALL: everything, the file read whole (check);
 *  - ELF_HEADERS_AND_SYMTAB: the program headers and .symtab alone (no
 *    dynamic section, symbols or relocations), reading only those bytes;
 *  - ELF_SCAN: the program headers, the dynamic section's strings and flags,
 *    and the relocation types that need static TLS or descriptors (no
 *    symbols, versions or sections), reading only those bytes;
 *  - ELF_JUDGE: what libplugkit judges before dlopen: the program headers,
 *    the dynamic section's strings and flags, .symtab's place, and the
 *    dynamic symbols (no versions) only of a file without .symtab; no
 *    relocations (n_tpoff_relocs stays 0).
 */
enum elf_parts { ELF_ALL, ELF_HEADERS_AND_SYMTAB, ELF_SCAN, ELF_JUDGE };
int elf_open_parts(const char *path, enum elf_parts parts, struct elf_file *elf, char *err,
		   size_t errlen);
/*
 * ELF_SCAN of the file name in directory dirfd (AT_FDCWD: name is a path),
 * opened with oflags added (O_NOFOLLOW), its bytes in arena (see mapfile.h):
 * what it points to is valid until the next file is read into the arena.
 * path names the file in messages.  Returns as elf_open.
 */
int elf_scan_at(struct map_arena *arena, int dirfd, const char *name, const char *path, int oflags,
		struct elf_file *elf, char *err, size_t errlen);

/*
 * As elf_open_parts, on the size bytes of the file path (device dev, inode ino)
 * that the caller has read into memory already: nothing is read, mapped or
 * copied, and bytes must outlive elf.
 */
int elf_open_copy(const char *path, const unsigned char *bytes, size_t size, dev_t dev, ino_t ino,
		  enum elf_parts parts, struct elf_file *elf, char *err, size_t errlen);
void elf_close(struct elf_file *elf);

/*
 * The dynamic symbol table entries named name (an object may define one
 * name in several versions), found the way ld.so finds them: through the
 * file's DT_GNU_HASH or DT_HASH.  ELF_LOOKUP_DEFINED yields what the hash
 * table holds (with DT_GNU_HASH: definitions only); ELF_LOOKUP_ALL also the
 * entries a DT_GNU_HASH leaves out (undefined references).
 *
 *	struct elf_lookup it;
 *	for (long i = elf_lookup_first(elf, name, ELF_LOOKUP_DEFINED, &it); i >= 0;
 *	     i = elf_lookup_next(elf, &it))
 *
 * Reads the object only: any number of threads may look up in one file.
 */
enum elf_lookup_what { ELF_LOOKUP_DEFINED, ELF_LOOKUP_ALL };
struct elf_lookup {
	const char *name;
	uint32_t hash;
	uint64_t at, end; /* the next candidate; where this stage ends */
	int stage;
	enum elf_lookup_what what;
};
long elf_lookup_first(const struct elf_file *elf, const char *name, enum elf_lookup_what what,
		      struct elf_lookup *it);
long elf_lookup_next(const struct elf_file *elf, struct elf_lookup *it);
/* The same with gnu_hash = elf_gnu_hash(name) worked out already, for a
 * name looked up in many files (ld.so hashes a name once per lookup too). */
long elf_lookup_first_hashed(const struct elf_file *elf, const char *name, uint32_t gnu_hash,
			     enum elf_lookup_what what, struct elf_lookup *it);

/* The two hash functions of ld.so (dl-new-hash.h, dl-hash.h), for
 * DT_GNU_HASH and DT_HASH. */
uint32_t elf_gnu_hash(const char *name);
uint32_t elf_sysv_hash(const char *name);

/* The version of a versym index, or NULL for 0 and 1 (unversioned). */
const struct elf_version *elf_version(const struct elf_file *elf, uint16_t ndx);

/*
 * Which names a walk of .symtab hands on: a name whose first two bytes are
 * b0 b1 when bit b1 % 64 of pass[b0] is set (pass[0] is 0: no empty
 * names).  Coarse, but it spares a caller that asks after a fixed
 * vocabulary a call for nearly every other name; the callback decides.
 */
struct elf_name_filter {
	uint64_t pass[256];
};

static inline bool elf_name_passes(const struct elf_name_filter *filter, const char *name)
{
	uint64_t pass = filter->pass[(unsigned char)name[0]];

	/* name[1] is read only when name[0] is not the string's end. */
	return pass && (pass >> ((unsigned char)name[1] % 64) & 1);
}

/* Calls fn for every function (or untyped) .symtab symbol that filter
 * passes (NULL: all), local ones included, defined or not (an undefined
 * one is what the object references), in one pass, until it returns true;
 * returns whether it did. */
bool elf_symtab_code_any(const struct elf_file *elf, const struct elf_name_filter *filter,
			 bool (*fn)(const char *name, bool defined, void *arg), void *arg);

/* The file's bytes that the address range [vaddr, vaddr + len) maps to,
 * inside one PT_LOAD; NULL when the range is not all in the file. */
const unsigned char *elf_bytes_at(const struct elf_file *elf, uint64_t vaddr, uint64_t len);

/* One dynamic relocation (DT_RELA, DT_REL or DT_JMPREL). */
struct elf_reloc {
	uint64_t offset; /* r_offset: the address it writes */
	uint64_t sym;    /* dynsym index; 0 for none */
	uint32_t type;
	int64_t addend; /* 0 for REL */
	bool plt;       /* from DT_JMPREL */
	bool tpoff;     /* fixes an offset into a static TLS block */
};

/* Calls fn for every dynamic relocation of a parsed file, in file order. */
void elf_each_reloc(const struct elf_file *elf, void (*fn)(const struct elf_reloc *, void *),
		    void *arg);

/* True for a dynsym entry that defines its symbol. */
bool elf_sym_defined(const struct elf_sym *sym);

#endif
