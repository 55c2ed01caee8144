/*
 * Rust's allocator shim, judged in the live process.  A Rust object
 * allocates through __rust_alloc, a local function of its own: it never
 * goes through the dynamic linker, so no GOT slot says where it lands.
 * What it reaches is read from the file's .symtab instead (core/allocator.c):
 * std's System (__rdl_alloc, hence malloc, bound like any C reference and
 * judged by binding.c) or a #[global_allocator] (__rg_alloc, or a
 * __rust_alloc with no __rdl_alloc behind it).  A file without .symtab
 * shows nothing, and passes.
 *
 * Plugins are judged by plugkit_open's private-allocator step, which reads
 * the same shim through allocator_defined_names(); this file judges what
 * start-up loaded.
 */
#include "rust.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "elfread.h"

/*
 * The files of what is loaded, named under ld.so's lock (dl_iterate_phdr)
 * and read after it: a file stays on disk when its object is dlclosed,
 * while reading every .symtab under the lock would hold up every other
 * thread's dlopen and dlclose meanwhile.
 */
struct walk {
	const void *provider; /* the dynamic section of malloc's provider */
	char **paths;
	size_t n;
	bool out_of_memory;
};

static int name_file(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	/* The program has no name in ld.so's list: the kernel knows its file. */
	const char *path = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "/proc/self/exe";
	char **paths;

	(void)size;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC &&
		    (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr) == w->provider)
			return 0;
	if (path[0] != '/') /* the vDSO has no file */
		return 0;
	if (!(paths = realloc(w->paths, (w->n + 1) * sizeof(*paths))) ||
	    !(paths[w->n] = strdup(path))) {
		if (paths)
			w->paths = paths;
		w->out_of_memory = true;
		return 1;
	}
	w->paths = paths;
	w->n++;
	return 0;
}

bool rust_process_ok(char *msg, size_t len)
{
	void *addr = dlsym(RTLD_DEFAULT, "malloc");
	struct link_map *provider = NULL;
	struct walk w = {0};
	const char *what = NULL;
	unsigned seen = 0;
	Dl_info info;

	/* The object malloc comes from: the first definition of the global scope. */
	if (addr && dladdr1(addr, &info, (void **)&provider, RTLD_DL_LINKMAP))
		w.provider = provider->l_ld;
	dl_iterate_phdr(name_file, &w);
	for (size_t i = 0; i < w.n && !what; i++) {
		struct elf_file elf;
		char err[256];

		if (elf_open_parts(w.paths[i], ELF_HEADERS_AND_SYMTAB, &elf, err, sizeof(err)) != 0)
			continue;
		seen = rust_shim_symbols(&elf);
		elf_close(&elf);
		if (rust_allocator_of(seen) == RUST_ALLOCATOR_GLOBAL)
			what = strcmp(w.paths[i], "/proc/self/exe") ? w.paths[i] : "the program";
	}
	if (w.out_of_memory && !what)
		snprintf(msg, len, "out of memory while listing the loaded objects");
	else if (what)
		snprintf(msg, len,
			 "%s allocates through %s, but malloc comes from %s: every Vec or "
			 "String it hands a plugin (or libc) is freed on another heap "
			 "(munmap_chunk(): invalid pointer).  Drop the #[global_allocator] (std's "
			 "System reaches the process's malloc), or export that allocator as malloc "
			 "from this library",
			 what, rust_global_allocator_name(seen),
			 provider && provider->l_name && *provider->l_name ? provider->l_name
									   : "the program");
	for (size_t i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	return !what && !w.out_of_memory;
}
