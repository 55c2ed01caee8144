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

#include "allocator.h"
#include "elfread.h"

/* One loaded object, as dl_iterate_phdr shows it under ld.so's lock: no
 * other thread's dlclose can unload it while its file is named and read. */
struct walk {
	const void *provider; /* the dynamic section of malloc's provider */
	const char *what;     /* the object found to allocate elsewhere */
	unsigned seen;        /* its RUST_SHIM_* bits */
	char path[4096];
};

static int judge_file(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	/* The program has no name in ld.so's list: the kernel knows its file. */
	const char *path = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "/proc/self/exe";
	struct elf_file elf;
	char err[256];

	(void)size;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC &&
		    (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr) == w->provider)
			return 0;
	/* The vDSO has no file. */
	if (path[0] != '/' ||
	    elf_open_parts(path, ELF_HEADERS_AND_SYMTAB, &elf, err, sizeof(err)) != 0)
		return 0;
	w->seen = rust_shim_symbols(&elf);
	elf_close(&elf);
	if (rust_allocator_of(w->seen) != RUST_ALLOCATOR_GLOBAL)
		return 0;
	snprintf(w->path, sizeof(w->path), "%s",
		 info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "the program");
	w->what = w->path;
	return 1;
}

bool rust_process_ok(char *msg, size_t len)
{
	void *addr = dlsym(RTLD_DEFAULT, "malloc");
	struct link_map *provider = NULL;
	struct walk w = {0};
	Dl_info info;

	/* The object malloc comes from: the first definition of the global scope. */
	if (addr && dladdr1(addr, &info, (void **)&provider, RTLD_DL_LINKMAP))
		w.provider = provider->l_ld;
	dl_iterate_phdr(judge_file, &w);
	if (!w.what)
		return true;
	snprintf(msg, len,
		 "%s allocates through %s, but malloc comes from %s: every Vec or "
		 "String it hands a plugin (or libc) is freed on another heap (munmap_chunk(): "
		 "invalid pointer).  Drop the #[global_allocator] (std's System reaches the "
		 "process's malloc), or export that allocator as malloc from this library",
		 w.what, rust_global_allocator_name(w.seen),
		 provider && provider->l_name && *provider->l_name ? provider->l_name
								   : "the program");
	return false;
}
