#include "allocator.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "namelist.h"

/* glibc's malloc-replacement set ("Replacing malloc" in its manual). */
const char *const allocator_c[] = {
	"malloc",
	"free",
	"calloc",
	"realloc",
	"aligned_alloc",
	"posix_memalign",
	"memalign",
	"valloc",
	"pvalloc",
	"malloc_usable_size",
	NULL,
};

/* C++17 operator new/delete, every variant: the unsized deletes, then the
 * size_t ones in LP64 (m) and ILP32 (j) mangling. */
const char *const allocator_cxx_common[] = {
	"_ZdlPv",
	"_ZdlPvRKSt9nothrow_t",
	"_ZdlPvSt11align_val_t",
	"_ZdlPvSt11align_val_tRKSt9nothrow_t",
	"_ZdaPv",
	"_ZdaPvRKSt9nothrow_t",
	"_ZdaPvSt11align_val_t",
	"_ZdaPvSt11align_val_tRKSt9nothrow_t",
	NULL,
};
const char *const allocator_cxx_lp64[] = {
	"_Znwm",
	"_ZnwmRKSt9nothrow_t",
	"_ZnwmSt11align_val_t",
	"_ZnwmSt11align_val_tRKSt9nothrow_t",
	"_Znam",
	"_ZnamRKSt9nothrow_t",
	"_ZnamSt11align_val_t",
	"_ZnamSt11align_val_tRKSt9nothrow_t",
	"_ZdlPvm",
	"_ZdlPvmSt11align_val_t",
	"_ZdaPvm",
	"_ZdaPvmSt11align_val_t",
	NULL,
};
const char *const allocator_cxx_ilp32[] = {
	"_Znwj",
	"_ZnwjRKSt9nothrow_t",
	"_ZnwjSt11align_val_t",
	"_ZnwjSt11align_val_tRKSt9nothrow_t",
	"_Znaj",
	"_ZnajRKSt9nothrow_t",
	"_ZnajSt11align_val_t",
	"_ZnajSt11align_val_tRKSt9nothrow_t",
	"_ZdlPvj",
	"_ZdlPvjSt11align_val_t",
	"_ZdaPvj",
	"_ZdaPvjSt11align_val_t",
	NULL,
};

/* Names only an allocator's implementation defines: an object carrying one
 * has a heap of its own even when it hides malloc. */
const char *const allocator_internals[] = {
	"mallctl",       "mallocx",   "je_malloc",       "je_mallctl",  "_rjem_malloc",
	"_rjem_mallctl", "mi_malloc", "mi_free",         "mi_heap_new", "tc_malloc",
	"tc_free",       "rpmalloc",  "scalable_malloc", "dlmalloc",    NULL,
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
	/* The first two letters of the names below: most names stop here,
	 * before a strlen. */
	switch (name[0]) {
	case 'a': /* aligned_alloc */
		if (name[1] != 'l')
			return false;
		break;
	case 'c': /* calloc */
	case 'v': /* valloc */
		if (name[1] != 'a')
			return false;
		break;
	case 'f': /* free */
		if (name[1] != 'r')
			return false;
		break;
	case 'm': /* malloc, malloc_usable_size, memalign */
		if (name[1] != 'a' && name[1] != 'e')
			return false;
		break;
	case 'p': /* posix_memalign, pvalloc */
		if (name[1] != 'o' && name[1] != 'v')
			return false;
		break;
	case 'r': /* realloc */
		if (name[1] != 'e')
			return false;
		break;
	default: return false;
	}
	switch (strlen(name)) {
	case 4: return strcmp(name, "free") == 0;
	case 6:
		return strcmp(name, "malloc") == 0 || strcmp(name, "calloc") == 0 ||
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

/* ---- Rust's allocator shim ---- */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

/*
 * rustc 1.63 defines the shim's functions unmangled; the v0 scheme (rustc
 * 1.7x on) puts each in the crate "___rustc", with its length and a '_'
 * separator before a name that starts with '_':
 * _RNvCsfLfy6EI15iL_7___rustc12___rust_alloc.
 */
static const struct {
	const char *legacy, *v0;
	unsigned bit;
} rust_shim_names[] = {
	{"__rust_alloc", "12___rust_alloc", RUST_SHIM_ALLOC},
	{"__rdl_alloc", "11___rdl_alloc", RUST_SHIM_RDL},
	{"__rg_alloc", "10___rg_alloc", RUST_SHIM_RG},
	{"__rust_alloc_error_handler", "26___rust_alloc_error_handler", RUST_SHIM_ERROR_HANDLER},
	/* Read by every allocating function of rustc 1.7x on, so that code
	 * which allocates cannot link without the shim. */
	{"__rust_no_alloc_shim_is_unstable", "32___rust_no_alloc_shim_is_unstable",
	 RUST_SHIM_MARKER},
	{"__rust_no_alloc_shim_is_unstable_v2", "35___rust_no_alloc_shim_is_unstable_v2",
	 RUST_SHIM_MARKER},
};

#define N_OF(list) (sizeof(list) / sizeof((list)[0]))

/*
 * The first two letters of every name asked after in .symtab (the
 * vocabulary above, the shim's names: legacy and v0), worked out once from
 * the lists themselves.
 */
static struct {
	pthread_once_t once;
	struct elf_name_filter symbols, all;
} vocabulary = {.once = PTHREAD_ONCE_INIT};

static void pass_name(struct elf_name_filter *filter, const char *name)
{
	filter->pass[(unsigned char)name[0]] |= (uint64_t)1 << ((unsigned char)name[1] % 64);
}

static void find_vocabulary(void)
{
	for (const char *const *const *list = allocator_lists; *list; list++)
		for (const char *const *name = *list; *name; name++)
			pass_name(&vocabulary.symbols, *name);
	vocabulary.all = vocabulary.symbols;
	for (const char *const *name = allocator_internals; *name; name++)
		pass_name(&vocabulary.all, *name);
	for (size_t i = 0; i < N_OF(rust_shim_names); i++)
		pass_name(&vocabulary.all, rust_shim_names[i].legacy);
	pass_name(&vocabulary.all, "_R"); /* every v0-mangled name */
}

const struct elf_name_filter *allocator_vocabulary(void)
{
	pthread_once(&vocabulary.once, find_vocabulary);
	return &vocabulary.all;
}

const struct elf_name_filter *allocator_symbols(void)
{
	pthread_once(&vocabulary.once, find_vocabulary);
	return &vocabulary.symbols;
}

/* Apart from the vocabulary: libplugkit walks .symtab and never asks for
 * these, so its first judgement does not hash them. */
static struct {
	pthread_once_t once;
	uint32_t of[N_OF(allocator_c) + N_OF(allocator_cxx_common) + N_OF(allocator_cxx_lp64) +
		    N_OF(allocator_cxx_ilp32)];
} list_hashes = {.once = PTHREAD_ONCE_INIT};

static void hash_lists(void)
{
	uint32_t *hash = list_hashes.of;

	for (const char *const *const *list = allocator_lists; *list; list++)
		for (const char *const *name = *list; *name; name++)
			*hash++ = elf_gnu_hash(*name);
}

const uint32_t *allocator_list_hashes(void)
{
	pthread_once(&list_hashes.once, hash_lists);
	return list_hashes.of;
}

unsigned rust_shim_symbol(const char *name)
{
	size_t len;

	/* Called for every symbol: most fail on their first letters (every
	 * legacy name starts __r, every v0 one _R). */
	if (name[0] != '_' || (name[1] == '_' ? name[2] != 'r' : name[1] != 'R'))
		return 0;
	len = strlen(name);
	for (size_t i = 0; i < N_OF(rust_shim_names); i++) {
		if (name[1] == '_' ? strcmp(name, rust_shim_names[i].legacy) == 0
				   : ends_with(name, len, rust_shim_names[i].v0) &&
					     strstr(name, "7___rustc"))
			return rust_shim_names[i].bit;
	}
	return 0;
}

/*
 * __rdl_alloc is std's System behind the shim.  __rg_alloc is a
 * #[global_allocator]; so is a __rust_alloc with no __rdl_alloc behind it
 * (rustc 1.9x inlines the global allocator into it), and a shim whose
 * __rust_alloc is gone altogether (rustc 1.63 with LTO inlines a global
 * allocator into every caller; the error handler stays).  Without a shim
 * of its own, an object that imports __rust_alloc allocates through std's
 * shared library (rustc's -C prefer-dynamic, Meson's way); one whose code
 * allocates (it reads the marker) and imports no __rust_alloc has a
 * #[global_allocator] inlined into that code (rustc 1.9x with
 * prefer-dynamic), while std's own code allocates through libstd's shim:
 * two heaps in one plugin.  What this cannot tell apart: a fat-LTO build
 * that inlined __rdl_alloc too, and an explicit #[global_allocator] System,
 * read as a global allocator, which a waiver accepts with its reason.
 */
enum rust_allocator rust_allocator_of(unsigned seen)
{
	if (seen & RUST_SHIM_RG)
		return RUST_ALLOCATOR_GLOBAL;
	if (seen & RUST_SHIM_RDL)
		return RUST_ALLOCATOR_SYSTEM;
	if (seen & (RUST_SHIM_ALLOC | RUST_SHIM_ERROR_HANDLER))
		return RUST_ALLOCATOR_GLOBAL;
	if (seen & RUST_SHIM_IMPORTED)
		return RUST_ALLOCATOR_NONE;
	return seen & RUST_SHIM_MARKER_REF ? RUST_ALLOCATOR_GLOBAL : RUST_ALLOCATOR_NONE;
}

/* What the object defines of the shim, and what it references of it:
 * __rust_alloc, the marker. */
static unsigned rust_shim_bits(const char *name, bool defined)
{
	unsigned bit = rust_shim_symbol(name);

	if (defined)
		return bit;
	return bit == RUST_SHIM_ALLOC    ? RUST_SHIM_IMPORTED
	       : bit == RUST_SHIM_MARKER ? RUST_SHIM_MARKER_REF
					 : 0;
}

static bool note_rust_symtab_name(const char *name, bool defined, void *arg)
{
	*(unsigned *)arg |= rust_shim_bits(name, defined);
	return false;
}

unsigned rust_shim_symbols(const struct elf_file *elf)
{
	unsigned seen = 0;

	elf_symtab_code_any(elf, allocator_vocabulary(), note_rust_symtab_name, &seen);
	return seen;
}

enum rust_allocator rust_allocator(const struct elf_file *elf)
{
	return elf->symtab_count ? rust_allocator_of(rust_shim_symbols(elf))
				 : RUST_ALLOCATOR_UNSEEN;
}

/* How a message names what rust_allocator_of judged a global allocator. */
const char *rust_global_allocator_name(unsigned seen)
{
	if (seen & RUST_SHIM_RG)
		return "a Rust #[global_allocator] (__rg_alloc)";
	if (seen & RUST_SHIM_ALLOC)
		return "a Rust #[global_allocator] (__rust_alloc without __rdl_alloc)";
	if (seen & RUST_SHIM_ERROR_HANDLER)
		return "a Rust #[global_allocator] (inlined: no __rust_alloc, no __rdl_alloc)";
	return "a Rust #[global_allocator] (inlined into code that imports no __rust_alloc)";
}

struct collect {
	struct name_list nl;
	bool skip_cxx;
	unsigned rust; /* RUST_SHIM_* seen */
};

static void collect(struct collect *c, const char *name)
{
	bool known = allocator_is_symbol(name) || is_internal(name);

	if (known && !(c->skip_cxx && allocator_is_cxx(name)))
		name_list_add(&c->nl, name);
}

static bool collect_symtab_name(const char *name, bool defined, void *arg)
{
	struct collect *c = arg;

	if (defined)
		collect(c, name);
	c->rust |= rust_shim_bits(name, defined);
	return false;
}

void allocator_defined_names(const struct elf_file *elf, char *buf, size_t len)
{
	static const char *const *const lists[] = {
		allocator_c,         allocator_cxx_common, allocator_cxx_lp64,
		allocator_cxx_ilp32, allocator_internals,  NULL,
	};
	struct collect c = {.skip_cxx = is_libstdcxx(elf->soname ? elf->soname : elf->path)};

	/* .symtab holds every definition, hidden and local ones included;
	 * a stripped file has only its exports to show. */
	if (elf->symtab_count) {
		elf_symtab_code_any(elf, allocator_vocabulary(), collect_symtab_name, &c);
		if (rust_allocator_of(c.rust) == RUST_ALLOCATOR_GLOBAL)
			name_list_add(&c.nl, rust_global_allocator_name(c.rust));
	} else {
		for (const char *const *const *list = lists; *list; list++)
			for (const char *const *name = *list; *name; name++) {
				struct elf_lookup it;

				for (long k = elf_lookup_first(elf, *name, ELF_LOOKUP_DEFINED, &it);
				     k >= 0; k = elf_lookup_next(elf, &it))
					if (elf_sym_defined(&elf->dynsym[k])) {
						collect(&c, *name);
						break;
					}
			}
	}
	if (!c.nl.n && len) /* the usual answer, without a printf */
		buf[0] = '\0';
	else
		snprintf(buf, len, "%s%s", c.nl.buf, name_list_more(&c.nl));
}

/* Loaded into every dynamically linked process at start-up; libc's malloc
 * is the fallback every process has, not a second allocator. */
static const char *const libc_sonames[] = {
	"libc.so.6",
	"ld-linux-x86-64.so.2",
	"ld-linux-aarch64.so.1",
	"ld-linux.so.2",
	"ld-linux-armhf.so.3",
	"ld64.so.2",
	"ld-linux-riscv64-lp64d.so.1",
	"ld64.so.1",
	NULL,
};

bool is_libc_soname(const char *soname)
{
	return name_in(libc_sonames, soname);
}
