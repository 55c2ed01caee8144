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
 * The allocator names elf defines, exported or not (from .symtab, hidden
 * and local ones included, when the file has one), as "a, b, c" in buf;
 * "" when none.
 */
void allocator_defined_names(struct elf_file *elf, char *buf, size_t len);

#endif
