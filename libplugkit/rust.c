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

/* The object malloc comes from: the first definition of the global scope. */
static const struct link_map *malloc_provider(void)
{
	void *addr = dlsym(RTLD_DEFAULT, "malloc");
	struct link_map *map = NULL;
	Dl_info info;

	if (!addr || !dladdr1(addr, &info, (void **)&map, RTLD_DL_LINKMAP))
		return NULL;
	return map;
}

bool rust_process_ok(char *msg, size_t len)
{
	const struct link_map *provider = malloc_provider();

	for (const struct link_map *map = _r_debug.r_map; map; map = map->l_next) {
		/* The program has no name in the link map. */
		const char *path = map == _r_debug.r_map ? "/proc/self/exe" : map->l_name;
		struct elf_file elf;
		char err[256];
		unsigned seen;

		if (map == provider || !path || path[0] != '/' ||
		    elf_open_parts(path, ELF_HEADERS_AND_SYMTAB, &elf, err, sizeof(err)) != 0)
			continue;
		seen = rust_shim_symbols(&elf);
		elf_close(&elf);
		if (rust_allocator_of(seen) != RUST_ALLOCATOR_GLOBAL)
			continue;
		snprintf(
			msg, len,
			"%s allocates through %s, but malloc comes from %s: every Vec or "
			"String it hands a plugin (or libc) is freed on another heap (munmap_chunk(): "
			"invalid pointer).  Drop the #[global_allocator] (std's System reaches the "
			"process's malloc), or export that allocator as malloc from this library",
			map == _r_debug.r_map ? "the program" : map->l_name,
			rust_global_allocator_name(seen),
			provider && provider->l_name && *provider->l_name ? provider->l_name
									  : "the program");
		return false;
	}
	return true;
}
