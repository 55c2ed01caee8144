/*
 * Reads the GOT and PLT slots of loaded objects.  After dlopen with
 * RTLD_NOW every slot holds the address its symbol was bound to; dladdr
 * says which object that address lives in.  The provider is the object
 * that dlsym(RTLD_DEFAULT, "malloc") lands in: the first malloc of the
 * global scope, the one libc's own malloc calls reach when all is well.
 */
#include "binding.h"

#include <dlfcn.h>
#include <elf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "dynmem.h"
#include "live.h"
#include "rules.h"
#include "rust.h"

#if __ELF_NATIVE_CLASS == 64
#define REL_SYM(info) ELF64_R_SYM(info)
#define REL_TYPE(info) ELF64_R_TYPE(info)
#else
#define REL_SYM(info) ELF32_R_SYM(info)
#define REL_TYPE(info) ELF32_R_TYPE(info)
#endif

/* Relocation types whose slot receives the symbol's address itself. */
static bool is_address_slot(uint32_t type)
{
#if defined(__x86_64__)
	return type == R_X86_64_JUMP_SLOT || type == R_X86_64_GLOB_DAT || type == R_X86_64_64;
#elif defined(__aarch64__)
	return type == R_AARCH64_JUMP_SLOT || type == R_AARCH64_GLOB_DAT || type == R_AARCH64_ABS64;
#elif defined(__i386__)
	return type == R_386_JMP_SLOT || type == R_386_GLOB_DAT || type == R_386_32;
#else
	(void)type;
	return false;
#endif
}

struct provider {
	const void *object;
	const char *name;
	/* Where it is mapped, from its first PT_LOAD to the end of its last:
	 * ld.so reserves the whole span for it (holes included), so an
	 * address inside is in no other object and needs no lookup. */
	uintptr_t start, end;
};

/*
 * The object an address lies in (an opaque identity) and its file name.
 * _dl_find_object (glibc 2.35) answers from ld.so's own table; dladdr,
 * the fallback, also searches for the nearest symbol, which costs more
 * than the rest of a check.
 */
static const void *object_of(const void *addr, const char **name)
{
#ifdef HAVE_DL_FIND_OBJECT
	struct dl_find_object found;

	if (_dl_find_object((void *)addr, &found) != 0 || !found.dlfo_link_map)
		return NULL;
	*name = found.dlfo_link_map->l_name;
	return found.dlfo_link_map;
#else
	Dl_info info;

	if (!dladdr(addr, &info) || !info.dli_fbase)
		return NULL;
	*name = info.dli_fname;
	return info.dli_fbase;
#endif
}

static const char *object_name(const struct link_map *map)
{
	return map->l_name && *map->l_name ? map->l_name : "the program";
}

static const char *short_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The dynamic tables of a loaded object that judging it needs. */
struct tables {
	const ElfW(Sym) * symtab;
	const char *strtab;
	const struct elf_name_filter *vocabulary;
	/* object_of() the object itself, found when a slot first lands
	 * outside the provider (most objects have none). */
	const void *self;
	bool self_looked_up;
};

/* Whether addr is in the provider: inside one of its segments, or found
 * to be (what is found goes to *where). */
static bool in_provider(const struct provider *p, const void *addr, const void **where,
			const char **where_name)
{
	if ((uintptr_t)addr >= p->start && (uintptr_t)addr < p->end)
		return true;
	*where = object_of(addr, where_name);
	return *where == p->object;
}

/*
 * Judges one table of relocations of map: each one that names an allocator
 * symbol must have left an address in the provider (libstdc++'s C++
 * operators excepted: they call malloc and free).  The first that does not
 * goes into msg.
 */
static bool judge_table(const struct link_map *map, const struct provider *p, struct tables *t,
			uintptr_t table, size_t size, size_t entsize, size_t relative, bool rela,
			bool plt, char *msg, size_t len)
{
	for (size_t off = relative * entsize; entsize && off + entsize <= size; off += entsize) {
		ElfW(Addr) r_offset;
		ElfW(Xword) info;
		const char *name, *where_name = "", *self_name;
		const void *where = NULL;
		void *target;

		if (rela) {
			const ElfW(Rela) *r = (const ElfW(Rela) *)(table + off);

			r_offset = r->r_offset;
			info = r->r_info;
			if (r->r_addend != 0)
				continue;
		} else {
			const ElfW(Rel) *r = (const ElfW(Rel) *)(table + off);

			r_offset = r->r_offset;
			info = r->r_info;
		}
		if (REL_SYM(info) == 0 || !is_address_slot((uint32_t)REL_TYPE(info)))
			continue;
		name = t->strtab + t->symtab[REL_SYM(info)].st_name;
		if (!elf_name_passes(t->vocabulary, name) || !allocator_is_symbol(name))
			continue;
		target = *(void *const *)(map->l_addr + r_offset);
		if (!target)
			continue; /* a weak reference nothing defines */
		/*
		 * In an object loaded at start-up without -z now, a PLT slot
		 * still points into the object's own PLT until the first call:
		 * not bound yet, so nothing to read.  (dlvsym cannot stand in:
		 * it refuses the unversioned definitions a reference accepts.)
		 * GLOB_DAT slots are bound at load time, libc's malloc and free
		 * among them.  A plugin, opened RTLD_NOW, has every slot bound.
		 */
		if (in_provider(p, target, &where, &where_name))
			continue;
		if (!t->self_looked_up) {
			t->self = object_of(map->l_ld, &self_name);
			t->self_looked_up = true;
		}
		/* An object that cannot be found is not judged. */
		if (!t->self)
			return true;
		if (plt && where == t->self)
			continue;
		if (!where) {
			snprintf(msg, len,
				 "%s: its %s reference lands at %p, outside every loaded object, "
				 "not in the allocator %s",
				 object_name(map), name, target, p->name);
			return false;
		}
		if (allocator_binding_exempt(name, where_name))
			continue;
		snprintf(msg, len,
			 "%s: its %s reference lands in %s, not in the allocator %s: memory "
			 "would be freed by a heap that did not make it",
			 object_name(map), name, *where_name ? where_name : "the program", p->name);
		return false;
	}
	return true;
}

static bool judge_object(const struct link_map *map, const struct provider *p, char *msg,
			 size_t len)
{
	struct tables t = {.vocabulary = allocator_symbols()};
	uintptr_t rela = 0, rel = 0, jmprel = 0;
	size_t relasz = 0, relaent = sizeof(ElfW(Rela)), relsz = 0, relent = sizeof(ElfW(Rel));
	size_t pltrelsz = 0, relacount = 0, relcount = 0;
	bool plt_rela = true;

	for (const ElfW(Dyn) *d = map->l_ld; d && d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
			t.symtab = (const ElfW(Sym) *)dyn_absolute(map->l_addr, d->d_un.d_ptr);
			break;
		case DT_STRTAB:
			t.strtab = (const char *)dyn_absolute(map->l_addr, d->d_un.d_ptr);
			break;
		case DT_RELA: rela = dyn_absolute(map->l_addr, d->d_un.d_ptr); break;
		case DT_RELASZ: relasz = d->d_un.d_val; break;
		case DT_RELAENT: relaent = d->d_un.d_val; break;
		/* The relative relocations come first and name no symbol. */
		case DT_RELACOUNT: relacount = d->d_un.d_val; break;
		case DT_RELCOUNT: relcount = d->d_un.d_val; break;
		case DT_REL: rel = dyn_absolute(map->l_addr, d->d_un.d_ptr); break;
		case DT_RELSZ: relsz = d->d_un.d_val; break;
		case DT_RELENT: relent = d->d_un.d_val; break;
		case DT_JMPREL: jmprel = dyn_absolute(map->l_addr, d->d_un.d_ptr); break;
		case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
		case DT_PLTREL: plt_rela = d->d_un.d_val == DT_RELA; break;
		}
	}
	if (!t.symtab || !t.strtab)
		return true;
	return (!rela ||
		judge_table(map, p, &t, rela, relasz, relaent, relacount, true, false, msg, len)) &&
	       (!rel ||
		judge_table(map, p, &t, rel, relsz, relent, relcount, false, false, msg, len)) &&
	       (!jmprel || judge_table(map, p, &t, jmprel, pltrelsz, plt_rela ? relaent : relent, 0,
				       plt_rela, true, msg, len));
}

/* The span of the object that holds p->start (malloc's address), mapped
 * from its lowest PT_LOAD to the end of its highest. */
static int provider_span(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct provider *p = arg;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	(void)size;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (start < lo)
			lo = start;
		if (start + ph->p_memsz > hi)
			hi = start + ph->p_memsz;
	}
	if (p->start < lo || p->start >= hi)
		return 0;
	p->start = lo;
	p->end = hi;
	return 1;
}

static bool find_provider(struct provider *p, char *msg, size_t len)
{
	void *malloc_addr = dlsym(RTLD_DEFAULT, "malloc");

	*p = (struct provider){.start = (uintptr_t)malloc_addr};
	if (!malloc_addr || !(p->object = object_of(malloc_addr, &p->name))) {
		snprintf(msg, len, "no object in the global scope provides malloc");
		return false;
	}
	/* Not found (no PT_LOAD holds it): an empty span, every slot looked up. */
	if (dl_iterate_phdr(provider_span, p) == 0)
		p->start = p->end = 0;
	if (!p->name || !*p->name)
		p->name = "the program";
	return true;
}

/* An object that defines and exports malloc itself (libc and ld.so aside:
 * theirs is the fallback every process has). */
static bool defines_malloc(const struct link_map *map)
{
	if (!map->l_name || !*map->l_name || is_libc_soname(short_name(map->l_name)))
		return false;
	return dyn_sym_exported(dyn_lookup(map->l_addr, map->l_ld, "malloc"));
}

/*
 * The sanitizers' runtimes replace malloc in every program built with
 * them, ahead of everything the program links (libasan, libtsan, ... come
 * first in DT_NEEDED; clang links them into the executable).  The host's
 * allocator then serves nothing: not a wiring the host can fix, but a
 * build to configure without an allocator of its own.
 */
static const char *const sanitizer_runtimes[] = {
	"libasan.so", "libtsan.so", "libmsan.so", "libhwasan.so", "liblsan.so", NULL,
};
static const char *const sanitizer_inits[] = {
	"__asan_init", "__tsan_init", "__msan_init", "__hwasan_init", "__lsan_init", NULL,
};

static bool is_sanitizer_runtime(const char *name)
{
	for (const char *const *r = sanitizer_runtimes; *r; r++)
		if (strncmp(short_name(name), *r, strlen(*r)) == 0)
			return true;
	return false;
}

static bool program_has_sanitizer(const struct link_map *program)
{
	for (const char *const *i = sanitizer_inits; *i; i++)
		if (dyn_sym_exported(dyn_lookup(program->l_addr, program->l_ld, *i)))
			return true;
	return false;
}

/* Judged once; the provider cannot change afterwards (a later dlopen only
 * ever adds objects behind it in the global scope). */
static struct {
	pthread_once_t once;
	bool ok, sanitizer;
	int rule; /* the rule that failed (enum rule_id), or -1 */
	struct provider provider;
	const void *program;
	char msg[768];
} process = {.once = PTHREAD_ONCE_INIT, .rule = -1};

/* One loaded object, as dl_iterate_phdr shows it under ld.so's lock: no
 * other thread's dlclose can unmap it while it is judged. */
static int judge_loaded(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct link_map map = {.l_addr = info->dlpi_addr, .l_name = (char *)info->dlpi_name};
	const struct provider *p = arg;
	const char *name;

	(void)size;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			map.l_ld = (ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	if (!map.l_ld)
		return 0;
	if (!process.program) {
		process.program = object_of(map.l_ld, &name);
		process.sanitizer = is_sanitizer_runtime(p->name) || program_has_sanitizer(&map);
	}
	if (!judge_object(&map, p, process.msg, sizeof(process.msg))) {
		process.rule = RULE_ALLOCATOR_BINDING;
		process.ok = false;
	} else if (defines_malloc(&map) && object_of(map.l_ld, &name) != p->object) {
		if (process.sanitizer)
			snprintf(
				process.msg, sizeof(process.msg),
				"a sanitizer runtime (%s) owns malloc in this process, ahead of the "
				"allocator in %s, which then serves nothing: build sanitizer builds "
				"without an allocator of their own (-Dallocator=system)",
				p->object == process.program ? "linked into the program" : p->name,
				map.l_name);
		else if (p->object == process.program)
			snprintf(process.msg, sizeof(process.msg),
				 "%s defines malloc, but the program itself defines one, and the "
				 "program comes first in the global scope",
				 map.l_name);
		else
			snprintf(process.msg, sizeof(process.msg),
				 "%s defines malloc, but %s comes first in the global scope, so "
				 "nothing reaches that allocator",
				 map.l_name, p->name);
		process.rule = process.sanitizer              ? -1
			       : p->object == process.program ? RULE_SHIM
							      : RULE_ALLOCATOR_BINDING;
		process.ok = false;
	}
	return !process.ok;
}

static void judge_process(void)
{
	struct provider p;

	process.ok = find_provider(&p, process.msg, sizeof(process.msg));
	if (!process.ok)
		return;
	process.provider = p;
	/* Nothing here needs them: found now, at start-up, the first
	 * plugkit_open does not have to. */
	live_find_startup();
	dl_iterate_phdr(judge_loaded, &p);
	if (process.ok && !rust_process_ok(process.msg, sizeof(process.msg))) {
		process.rule = RULE_ALLOCATOR_BINDING;
		process.ok = false;
	}
}

bool binding_process_ok(char *msg, size_t len, int *rule)
{
	pthread_once(&process.once, judge_process);
	if (!process.ok)
		snprintf(msg, len, "%s", process.msg);
	*rule = process.rule;
	return process.ok;
}

bool binding_closure_ok(struct link_map *const *maps, size_t n, char *msg, size_t len)
{
	pthread_once(&process.once, judge_process);
	if (!process.provider.object) {
		snprintf(msg, len, "%s", process.msg);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!judge_object(maps[i], &process.provider, msg, len))
			return false;
	return true;
}
