#include "allocator.h"

#include <stdio.h>
#include <string.h>

#include "namelist.h"

/* glibc's malloc-replacement set ("Replacing malloc" in its manual). */
const char *const allocator_c[] = {
	"malloc", "free", "calloc", "realloc", "aligned_alloc", "posix_memalign",
	"memalign", "valloc", "pvalloc", "malloc_usable_size", NULL,
};

/* C++17 operator new/delete, every variant: the unsized deletes, then the
 * size_t ones in LP64 (m) and ILP32 (j) mangling. */
const char *const allocator_cxx_common[] = {
	"_ZdlPv", "_ZdlPvRKSt9nothrow_t", "_ZdlPvSt11align_val_t", "_ZdlPvSt11align_val_tRKSt9nothrow_t",
	"_ZdaPv", "_ZdaPvRKSt9nothrow_t", "_ZdaPvSt11align_val_t", "_ZdaPvSt11align_val_tRKSt9nothrow_t",
	NULL,
};
const char *const allocator_cxx_lp64[] = {
	"_Znwm", "_ZnwmRKSt9nothrow_t", "_ZnwmSt11align_val_t", "_ZnwmSt11align_val_tRKSt9nothrow_t",
	"_Znam", "_ZnamRKSt9nothrow_t", "_ZnamSt11align_val_t", "_ZnamSt11align_val_tRKSt9nothrow_t",
	"_ZdlPvm", "_ZdlPvmSt11align_val_t", "_ZdaPvm", "_ZdaPvmSt11align_val_t", NULL,
};
const char *const allocator_cxx_ilp32[] = {
	"_Znwj", "_ZnwjRKSt9nothrow_t", "_ZnwjSt11align_val_t", "_ZnwjSt11align_val_tRKSt9nothrow_t",
	"_Znaj", "_ZnajRKSt9nothrow_t", "_ZnajSt11align_val_t", "_ZnajSt11align_val_tRKSt9nothrow_t",
	"_ZdlPvj", "_ZdlPvjSt11align_val_t", "_ZdaPvj", "_ZdaPvjSt11align_val_t", NULL,
};

/* Names only an allocator's implementation defines: an object carrying one
 * has a heap of its own even when it hides malloc. */
const char *const allocator_internals[] = {
	"mallctl", "mallocx", "je_malloc", "je_mallctl", "_rjem_malloc", "_rjem_mallctl",
	"mi_malloc", "mi_free", "mi_heap_new", "tc_malloc", "tc_free", "rpmalloc",
	"scalable_malloc", "dlmalloc", NULL,
};

const char *const *const allocator_lists[] = {
	allocator_c, allocator_cxx_common, allocator_cxx_lp64, allocator_cxx_ilp32, NULL,
};

bool allocator_is_cxx(const char *name)
{
	return name_in(allocator_cxx_common, name) || name_in(allocator_cxx_lp64, name) ||
	       name_in(allocator_cxx_ilp32, name);
}

bool allocator_is_libstdcxx(const struct elf_file *elf)
{
	return elf->soname && strncmp(elf->soname, "libstdc++.so", 12) == 0;
}

struct collect {
	struct name_list nl;
	bool skip_cxx;
};

static void collect(struct collect *c, const char *name)
{
	bool known = name_in(allocator_c, name) || allocator_is_cxx(name) ||
		     name_in(allocator_internals, name);

	if (known && !(c->skip_cxx && allocator_is_cxx(name)))
		name_list_add(&c->nl, name);
}

static bool collect_symtab_name(const char *name, void *arg)
{
	collect(arg, name);
	return false;
}

void allocator_defined_names(struct elf_file *elf, char *buf, size_t len)
{
	static const char *const *const lists[] = {
		allocator_c, allocator_cxx_common, allocator_cxx_lp64, allocator_cxx_ilp32,
		allocator_internals, NULL,
	};
	struct collect c = {.skip_cxx = allocator_is_libstdcxx(elf)};

	for (const char *const *const *list = lists; *list; list++)
		for (const char *const *name = *list; *name; name++) {
			const int *idx;
			size_t n = elf_dynsym_lookup(elf, *name, &idx);

			for (size_t k = 0; k < n; k++)
				if (elf_sym_defined(&elf->dynsym[idx[k]])) {
					collect(&c, *name);
					break;
				}
		}
	/* Hidden and local definitions show only in .symtab. */
	if (!c.nl.n)
		elf_symtab_any(elf, collect_symtab_name, &c);
	snprintf(buf, len, "%s%s", c.nl.buf, name_list_more(&c.nl));
}

/* Loaded into every dynamically linked process at start-up; libc's malloc
 * is the fallback every process has, not a second allocator. */
static const char *const libc_sonames[] = {
	"libc.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld-linux.so.2",
	"ld-linux-armhf.so.3", "ld64.so.2", "ld-linux-riscv64-lp64d.so.1", "ld64.so.1", NULL,
};

bool is_libc_soname(const char *soname)
{
	return name_in(libc_sonames, soname);
}
