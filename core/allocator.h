/* The allocator's vocabulary: the names glibc lets a malloc replacement
 * define, and the names only an allocator's implementation defines. */
#ifndef PLUGKIT_ALLOCATOR_H
#define PLUGKIT_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "elfread.h"

/* NULL-ended lists. */
extern const char *const allocator_c[];
extern const char *const allocator_cxx_common[];
extern const char *const allocator_cxx_lp64[];
extern const char *const allocator_cxx_ilp32[];
extern const char *const allocator_internals[];
/* The C list, then the three C++ lists; NULL-ended. */
extern const char *const *const allocator_lists[];

bool allocator_is_cxx(const char *name);

/* One of the C or C++ names (quick for the many names that are not). */
bool allocator_is_symbol(const char *name);

/* The first two letters of every name above, of the allocator internals
 * and of Rust's allocator shim: a filter that passes them all and few
 * others, for a walk over many names. */
const struct elf_name_filter *allocator_vocabulary(void);

/* The same for the C and C++ names alone (allocator_is_symbol's). */
const struct elf_name_filter *allocator_symbols(void);

/* elf_gnu_hash of each name of allocator_lists, in their order: for
 * looking them all up in many files, each hashed once per process. */
const uint32_t *allocator_list_hashes(void);

/* libc.so.6 or the dynamic loader, by SONAME (or file name). */
bool is_libc_soname(const char *soname);

/*
 * Whether a reference to symbol may bind to the object called definer (its
 * SONAME, file name or path) rather than to the provider: the one
 * exemption from "every allocator reference binds to the provider", for
 * the checker and libplugkit alike.  libstdc++'s operator new and delete
 * call malloc and free, so a C++ operator that binds to them reaches the
 * provider anyway (and allocator_defined_names leaves them out).
 */
bool allocator_binding_exempt(const char *symbol, const char *definer);

/*
 * What a Rust object's allocations reach.  Every Rust allocation calls
 * rustc's allocator shim, __rust_alloc, which goes on to std's System
 * allocator (malloc) through __rdl_alloc, or to a #[global_allocator]
 * through __rg_alloc.  The shim lives in the artifact rustc links last (a
 * cdylib, a bin), as local symbols in .symtab: rustc 1.63 names them
 * plainly, later versions mangle them in the v0 scheme
 * (_RNv...7___rustc12___rust_alloc), and 1.9x inlines the global
 * allocator into __rust_alloc, leaving no __rg_alloc.
 */
enum rust_allocator {
	RUST_ALLOCATOR_NONE,   /* no allocator shim: not Rust, or not linked last */
	RUST_ALLOCATOR_SYSTEM, /* __rdl_alloc: std's System, hence malloc */
	RUST_ALLOCATOR_GLOBAL, /* __rg_alloc, a shim without __rdl_alloc, or code
				 * that allocates with no __rust_alloc to call */
	RUST_ALLOCATOR_UNSEEN, /* no .symtab: the shim's local symbols are gone */
};

/* The shim's functions, by name (legacy or v0-mangled). */
enum {
	RUST_SHIM_ALLOC = 1,         /* __rust_alloc */
	RUST_SHIM_RDL = 2,           /* __rdl_alloc */
	RUST_SHIM_RG = 4,            /* __rg_alloc */
	RUST_SHIM_ERROR_HANDLER = 8, /* __rust_alloc_error_handler */
	RUST_SHIM_MARKER = 16,       /* __rust_no_alloc_shim_is_unstable(_v2) */
	/* References (undefined), not definitions: */
	RUST_SHIM_IMPORTED = 32,   /* __rust_alloc, from std's shared library */
	RUST_SHIM_MARKER_REF = 64, /* the marker: the code allocates */
};
/* The RUST_SHIM_* bit name is (a definition's), or 0. */
unsigned rust_shim_symbol(const char *name);

/* Judges what an object defines and references of the shim (RUST_SHIM_*). */
enum rust_allocator rust_allocator_of(unsigned seen);

/* The RUST_SHIM_* bits of what elf's .symtab defines and references. */
unsigned rust_shim_symbols(const struct elf_file *elf);

/* rust_allocator_of() elf's .symtab; RUST_ALLOCATOR_UNSEEN without one. */
enum rust_allocator rust_allocator(const struct elf_file *elf);

/* "a Rust #[global_allocator] (...)": which shim functions said so. */
const char *rust_global_allocator_name(unsigned seen);

/*
 * The allocator names elf defines, exported or not (from .symtab, hidden
 * and local ones included, when the file has one), as "a, b, c" in buf;
 * "" when none.  A Rust #[global_allocator] counts as one.
 */
void allocator_defined_names(const struct elf_file *elf, char *buf, size_t len);

#endif
