/*
 * Reading a loaded object's dynamic section in memory, as ld.so does: no
 * file, no dlsym, nothing that allocates.  The caller keeps the object
 * mapped (it holds a handle to it, or ld.so's lock in dl_iterate_phdr).
 */
#ifndef PLUGKIT_DYNMEM_H
#define PLUGKIT_DYNMEM_H

#include <link.h>
#include <stdbool.h>
#include <stdint.h>

/* A d_ptr as an address: ld.so rewrites some dynamic entries to absolute
 * addresses and leaves others as offsets (it depends on the architecture
 * and on the object: the vDSO keeps offsets). */
uintptr_t dyn_absolute(uintptr_t base, ElfW(Addr) addr);

/* The value of the first entry tagged tag, or 0. */
ElfW(Addr) dyn_value(const ElfW(Dyn) * dyn, ElfW(Sxword) tag);

/* The string of a string-valued entry (DT_SONAME, ...), or NULL. */
const char *dyn_string(uintptr_t base, const ElfW(Dyn) * dyn, ElfW(Sxword) tag);

/* name in the object's own dynamic symbol table, found through its
 * DT_GNU_HASH or DT_HASH table as ld.so finds it; NULL when absent. */
const ElfW(Sym) * dyn_lookup(uintptr_t base, const ElfW(Dyn) * dyn, const char *name);

/* A lookup that found a definition other objects can bind to. */
bool dyn_sym_exported(const ElfW(Sym) * sym);

#endif
