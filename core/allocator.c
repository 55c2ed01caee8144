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

/* Every C++ name starts _Zn or _Zd: most symbols fail here, cheaply. */
bool allocator_is_cxx(const char *name)
{
	if (name[0] != '_' || name[1] != 'Z' || (name[2] != 'n' && name[2] != 'd'))
		return false;
	return name_in(allocator_cxx_common, name) || name_in(allocator_cxx_lp64, name) ||
	       name_in(allocator_cxx_ilp32, name);
}

/*
 * Called for every symbol of every file and relocation checked: decide by
 * length first, so that most names cost a strlen and a switch.
 */
static bool is_c_allocator(const char *name)
{
	switch (strlen(name)) {
	case 4: return strcmp(name, "free") == 0;
	case 6: return strcmp(name, "malloc") == 0 || strcmp(name, "calloc") == 0 ||
		       strcmp(name, "valloc") == 0;
	case 7: return strcmp(name, "realloc") == 0 || strcmp(name, "pvalloc") == 0;
	case 8: return strcmp(name, "memalign") == 0;
	case 13: return strcmp(name, "aligned_alloc") == 0;
	case 14: return strcmp(name, "posix_memalign") == 0;
	case 18: return strcmp(name, "malloc_usable_size") == 0;
	}
	return false;
}

bool allocator_is_symbol(const char *name)
{
	return name[0] == '_' ? allocator_is_cxx(name) : is_c_allocator(name);
}

static bool is_libstdcxx(const char *name)
{
	const char *slash = strrchr(name, '/');

	return strncmp(slash ? slash + 1 : name, "libstdc++.so", 12) == 0;
}

bool allocator_binding_exempt(const char *symbol, const char *definer)
{
	return allocator_is_cxx(symbol) && is_libstdcxx(definer);
}

/* The internals list, behind a filter on the first two letters (every
 * name in it starts ma, mi, je, _r, tc, rp, sc or dl): this runs for every
 * function symbol of every file checked. */
static bool is_internal(const char *name)
{
	static const char prefixes[][3] = {"ma", "mi", "je", "_r", "tc", "rp", "sc", "dl"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (name[0] == prefixes[i][0] && name[1] == prefixes[i][1])
			return name_in(allocator_internals, name);
	return false;
}

struct collect {
	struct name_list nl;
	bool skip_cxx;
};

static void collect(struct collect *c, const char *name)
{
	bool known = allocator_is_symbol(name) || is_internal(name);

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
	struct collect c = {.skip_cxx = is_libstdcxx(elf->soname ? elf->soname : elf->path)};

	/* .symtab holds every definition, hidden and local ones included;
	 * a stripped file has only its exports to show. */
	if (elf->symtab_count) {
		elf_symtab_any(elf, collect_symtab_name, &c);
	} else {
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
	}
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
