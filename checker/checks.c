/*
 * The checklist.  Every check reads the simulated process (ldso.c) and
 * judges one file; the table at the end lists them with the rule each
 * enforces and the fix.
 */
#include "checks.h"

#include <elf.h>
#include <gnu/libc-version.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "forward.h"
#include "namelist.h"


/* A file the user named, or the SONAME a dependency is known by. */
static const char *name_of(const struct loaded *l)
{
	return l->obj->elf.soname ? l->obj->elf.soname : l->obj->elf.path;
}

static bool is_libc(const struct object *obj)
{
	return obj->elf.soname && is_libc_soname(obj->elf.soname);
}

/* ET_EXEC, or a PIE (ld marks it DF_1_PIE): a program, not a library. */
static bool is_executable(const struct object *obj)
{
	return obj->elf.type == ET_EXEC || (obj->elf.flags_1 & DF_1_PIE);
}

/* What a check looks at: the start-up objects, or what one plugin's dlopen
 * brought in. */
struct target {
	const char *file;
	struct object *obj;
	size_t first, last; /* loaded[first..last) */
	int root;
};

/*
 * Loaded by the plugin's dlopen, not already there.  Without --shim or
 * --host nobody knows what start-up loads: judge the plugin alone.
 */
static bool is_late(const struct context *ctx, const struct target *t, size_t i)
{
	if (!ctx->have_startup)
		return (int)i == t->root;
	return i >= ctx->p->n_startup && !is_libc(ctx->p->loaded[i].obj);
}


static bool exports_symbol(const struct object *obj, const char *name)
{
	struct elf_lookup it;

	for (long i = elf_lookup_first(&obj->elf, name, ELF_LOOKUP_DEFINED, &it); i >= 0;
	     i = elf_lookup_next(&obj->elf, &it))
		if (elf_sym_defined(&obj->elf.dynsym[i]) && obj->elf.dynsym[i].bind != STB_LOCAL)
			return true;
	return false;
}

static const char *version_suffix(const struct elf_version *v, char *buf, size_t len)
{
	if (v)
		snprintf(buf, len, "@%s", v->name);
	else
		buf[0] = '\0';
	return buf;
}

/* ---- shim ---------------------------------------------------------- */

static void check_shim(const struct context *ctx, const struct target *t, struct verdict *v)
{
	char found[256];

	for (const char *const *const *list = allocator_lists; *list; list++)
		for (const char *const *name = *list; *name; name++)
			if (exports_symbol(ctx->shim, *name))
				verdict_fail(
					v,
					"the shim defines and exports %s: the executable comes first "
					"in the global scope, ahead of the host",
					*name);
	(void)t;
	/* A dynamic executable needs at least libc.so.6; a static(-pie) one
	 * has no ld.so to share symbols with its plugins. */
	if (!ctx->shim->elf.n_needed)
		return verdict_fail(v, "the shim is statically linked (no DT_NEEDED): its plugins "
				       "cannot bind to its allocator or to a host it carries");
	if (ctx->host == ctx->shim)
		return verdict_note(v,
				    "the executable is the host and defines no allocator symbol");
	/* Judged by what start-up loads, whatever DT_NEEDED spells ($ORIGIN,
	 * a path): a host that plugins bring in is one copy too, unless it
	 * carries the allocator, which must be there before the first malloc. */
	if (ctx->host_idx >= 0) {
		if (v->status == STATUS_PASS)
			verdict_note(
				v,
				"loads %s at start-up (needed by %s) and defines no allocator symbol",
				ctx->host_arg,
				ctx->host_idx == 0
					? "nothing"
					: name_of(&ctx->p->loaded[ctx->p->loaded[ctx->host_idx]
									  .parent]));
		return;
	}
	allocator_defined_names(&ctx->host->elf, found, sizeof(found));
	if (found[0])
		verdict_fail(
			v,
			"the shim does not load the host %s, which carries the allocator (%s): "
			"it would arrive with the first plugin, after blocks were made on glibc's "
			"heap",
			ctx->host_arg, found);
	else if (v->status == STATUS_PASS)
		verdict_note(v,
			     "does not load the host %s at start-up: the plugins that need it load "
			     "the one copy",
			     ctx->host_arg);
}

/* What a forwarding operator may pass the call on to. */
static bool is_forward_target(const char *name)
{
	static const char *const targets[] = {"malloc",         "free",   "aligned_alloc",
					      "posix_memalign", "calloc", "realloc",
					      "memalign",       NULL};

	return name_in(targets, name) || allocator_is_cxx(name);
}

/*
 * A C++ operator whose code only passes the call on, through the PLT, to
 * malloc, free, aligned_alloc, posix_memalign (or another operator) that
 * the object leaves to the global scope: the provider's heap, not a second
 * one (libstdc++_nonshared's sized and aligned operators in manylinux
 * wheels).  Whether those references reach the provider is checked as
 * every other reference is.
 */
static bool forwards_to_global(struct object *obj, const char *name)
{
	struct elf_lookup it;

	if (!allocator_is_cxx(name))
		return false;
	for (long k = elf_lookup_first(&obj->elf, name, ELF_LOOKUP_DEFINED, &it); k >= 0;
	     k = elf_lookup_next(&obj->elf, &it)) {
		const struct elf_sym *s = &obj->elf.dynsym[k];
		uint64_t to;

		if (!elf_sym_defined(s) || s->type != STT_FUNC)
			continue;
		to = forwarded_to(&obj->elf, s->value, s->size, is_forward_target);
		/* Left to the global scope, not bound to a copy of its own. */
		return to && !elf_sym_defined(&obj->elf.dynsym[to]);
	}
	return false;
}

/* ---- allocator-binding --------------------------------------------- */

static void scope_order(const struct context *ctx, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ctx->p->n_startup && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 name_of(&ctx->p->loaded[i]));
}


/* Whether a start-up object refers to name: an undefined entry, or a
 * definition that a relocation names (libc's own malloc calls). */
static bool start_up_refers_to(const struct context *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->p->n_startup; i++) {
		struct object *obj = ctx->p->loaded[i].obj;
		struct elf_lookup it;

		for (long k = elf_lookup_first(&obj->elf, name, ELF_LOOKUP_ALL, &it); k >= 0;
		     k = elf_lookup_next(&obj->elf, &it)) {
			const struct elf_sym *s = &obj->elf.dynsym[k];

			if (!elf_sym_defined(s) || s->referenced)
				return true;
		}
	}
	return false;
}

/*
 * A C function the provider leaves out binds to glibc's, on glibc's heap,
 * but only a reference to it can hand a block to the wrong heap: one in the
 * process fails here, one in a plugin's closure fails that plugin (its
 * binding is checked below).  C++ operators it may leave out: libstdc++'s
 * call malloc, free and the plain operators, all of which reach it.
 */
static void check_complete_set(const struct context *ctx, struct verdict *v)
{
	struct object *obj = ctx->p->loaded[ctx->provider].obj;
	struct name_list used = {0}, unused = {0};

	if (is_libc(obj))
		return;
	for (const char *const *name = allocator_c; *name; name++)
		if (!exports_symbol(obj, *name))
			name_list_add(start_up_refers_to(ctx, *name) ? &used : &unused, *name);
	if (used.n)
		verdict_fail(v,
			     "the allocator %s does not export %s%s, and the process calls %s: "
			     "%s blocks come from another heap",
			     name_of(&ctx->p->loaded[ctx->provider]), used.buf,
			     name_list_more(&used), used.n == 1 ? "it" : "them",
			     used.n == 1 ? "its" : "their");
	if (unused.n)
		verdict_warn(v,
			     "the allocator %s does not export %s%s: nothing loaded at start-up "
			     "calls %s, and a plugin that does fails",
			     name_of(&ctx->p->loaded[ctx->provider]), unused.buf,
			     name_list_more(&unused), unused.n == 1 ? "it" : "them");
}

static void check_start_up_provider(const struct context *ctx, struct verdict *v)
{
	const struct process *p = ctx->p;
	char order[1024];

	scope_order(ctx, order, sizeof(order));
	if (ctx->provider < 0 && !p->loaded[0].obj->elf.n_needed)
		return verdict_fail(
			v, "%s is statically linked: nothing it could share defines malloc",
			name_of(&p->loaded[0]));
	if (ctx->provider < 0)
		return verdict_fail(v, "nothing in the global scope defines malloc (order: %s)",
				    order);
	check_complete_set(ctx, v);
	if (ctx->intended >= 0 && ctx->intended != ctx->provider)
		verdict_fail(v,
			     "%s defines malloc, but %s comes first in the global scope and wins "
			     "(order: %s)",
			     name_of(&p->loaded[ctx->intended]), name_of(&p->loaded[ctx->provider]),
			     order);
	if (ctx->host_idx >= 0 && ctx->provider != ctx->host_idx &&
	    ctx->intended != ctx->host_idx) {
		char found[256];

		allocator_defined_names(&ctx->host->elf, found, sizeof(found));
		if (found[0])
			verdict_fail(v,
				     "the host carries an allocator (%s) but exports no malloc: "
				     "its heap and the process's are two",
				     found);
	}
}

static void check_allocator_binding(const struct context *ctx, const struct target *t,
				    struct verdict *v)
{
	struct process *p = ctx->p;
	size_t refs = 0;

	if (t->root < 0)
		check_start_up_provider(ctx, v);
	if (ctx->provider < 0)
		return;
	for (size_t i = t->first; i < t->last; i++) {
		const struct loaded *l = &p->loaded[i];
		struct name_list nl = {0};
		const uint32_t *hash = allocator_list_hashes();
		int other = -1;

		if (t->root >= 0 && !is_late(ctx, t, i))
			continue;
		for (const char *const *const *list = allocator_lists; *list; list++)
			for (const char *const *name = *list; *name; name++, hash++) {
				struct elf_lookup it;

				for (long k = elf_lookup_first_hashed(&l->obj->elf, *name, *hash,
								      ELF_LOOKUP_ALL, &it);
				     k >= 0; k = elf_lookup_next(&l->obj->elf, &it)) {
					const struct elf_sym *s = &l->obj->elf.dynsym[k];
					const struct elf_version *ver;
					struct binding b;
					char vs[128], full[256];

					/* A definition is a reference too when a
					 * relocation names it (libc's own malloc calls). */
					if (elf_sym_defined(s) && !s->referenced)
						continue;
					ver = ldso_ref_version(l->obj, s);
					b = ldso_bind(p, (int)i, s->name, ver);
					if (b.def < 0)
						continue;
					refs++;
					if (b.def == ctx->provider)
						continue;
					if (allocator_binding_exempt(s->name,
								     name_of(&p->loaded[b.def])))
						continue;
					if (forwards_to_global(p->loaded[b.def].obj, s->name))
						continue;
					if (other < 0)
						other = b.def;
					snprintf(full, sizeof(full), "%s%s", s->name,
						 version_suffix(ver, vs, sizeof(vs)));
					name_list_add(&nl, full);
				}
			}
		if (other >= 0)
			verdict_fail(v, "%s: %s%s bind%s to %s, not to the allocator %s",
				     name_of(l), nl.buf, name_list_more(&nl), nl.n > 1 ? "" : "s",
				     name_of(&p->loaded[other]),
				     name_of(&p->loaded[ctx->provider]));
	}
	if (v->status == STATUS_PASS)
		verdict_note(v, "%zu allocator references bind to %s", refs,
			     name_of(&p->loaded[ctx->provider]));
}

/* ---- private-allocator --------------------------------------------- */

/*
 * What an allocator leaves in a stripped file: its own messages.  Only a
 * copy of the allocator prints them; a program that links the allocator's
 * shared library has its symbols in .dynsym instead.
 */
static const struct {
	const char *allocator, *text;
} allocator_fingerprints[] = {
	{"jemalloc", "<jemalloc>: "},
	{"mimalloc", "mimalloc: error: "},
	{"tcmalloc", "tcmalloc: large alloc "},
	{"rpmalloc", "rpmalloc_initialize"},
};

static const char *allocator_fingerprint(const struct elf_file *e)
{
	for (size_t i = 0; i < sizeof(allocator_fingerprints) / sizeof(allocator_fingerprints[0]);
	     i++)
		if (memmem(e->map, e->size, allocator_fingerprints[i].text,
			   strlen(allocator_fingerprints[i].text)))
			return allocator_fingerprints[i].allocator;
	return NULL;
}

/* Removes the operators that only forward (forwards_to_global) from a
 * "a, b, c" list of definitions. */
static void drop_forwarders(struct object *obj, char *list)
{
	char *out = list, copy[600], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	list[0] = '\0';
	for (char *name = strtok_r(copy, ", ", &save); name; name = strtok_r(NULL, ", ", &save))
		if (!forwards_to_global(obj, name))
			out += sprintf(out, "%s%s", out == list ? "" : ", ", name);
}

static void check_private_allocator(const struct context *ctx, const struct target *t,
				    struct verdict *v)
{
	struct name_list stripped = {0};
	size_t late = 0;

	for (size_t i = t->first; i < t->last; i++) {
		struct elf_file *e = &ctx->p->loaded[i].obj->elf;
		const char *print;
		char found[600];

		if (!is_late(ctx, t, i))
			continue;
		late++;
		allocator_defined_names(e, found, sizeof(found));
		drop_forwarders(ctx->p->loaded[i].obj, found);
		if (found[0])
			verdict_fail(v, "%s defines %s", name_of(&ctx->p->loaded[i]), found);
		else if (e->symtab_count == 0 && (print = allocator_fingerprint(e)))
			verdict_fail(
				v,
				"%s is stripped but carries a copy of %s (its own messages are "
				"in the file)",
				name_of(&ctx->p->loaded[i]), print);
		else if (e->symtab_count == 0)
			name_list_add(&stripped, name_of(&ctx->p->loaded[i]));
	}
	/* Hidden definitions live only in .symtab: no symtab, no verdict. */
	if (v->status == STATUS_PASS && stripped.n)
		verdict_skip(
			v,
			"no .symtab in %s%s: hidden definitions and a Rust #[global_allocator] cannot be seen; check the "
			"unstripped build or its debug file",
			stripped.buf, name_list_more(&stripped));
	else if (v->status == STATUS_PASS)
		verdict_note(v, "no allocator in %zu late-loaded object%s", late,
			     late == 1 ? "" : "s");
}

/* ---- static-tls ---------------------------------------------------- */

/*
 * glibc's spare static TLS and where the figure comes from.  elf/dl-tls.c
 * (2.36): surplus = (nns - 1) * 192 (libc's initial-exec TLS per extra
 * namespace) + nns * 144 (other libraries') + glibc.rtld.optional_static_tls,
 * nns = glibc.rtld.nns (default 4), optional_static_tls default 512: 1664.
 * A TPOFF relocation may use all of it (CHECK_STATIC_TLS in dl-machine.h);
 * GLIBC_TUNABLES changes both figures in the process that has it.
 */
static unsigned long long static_tls_surplus(char *source, size_t len)
{
	const char *t = getenv("GLIBC_TUNABLES");
	unsigned long long nns = 4, opt = 512;
	bool tuned = false;

	for (const char *s = t; s && *s;) {
		size_t n = strcspn(s, ":");
		unsigned long long v;

		if (sscanf(s, "glibc.rtld.nns=%llu", &v) == 1 && v >= 1 && v <= 16)
			nns = v, tuned = true;
		else if (sscanf(s, "glibc.rtld.optional_static_tls=%llu", &v) == 1)
			opt = v, tuned = true;
		s += n + (s[n] == ':');
	}
	snprintf(source, len,
		 "glibc %s, glibc.rtld.optional_static_tls=%llu, glibc.rtld.nns=%llu%s",
		 gnu_get_libc_version(), opt, nns, tuned ? " from GLIBC_TUNABLES" : " (defaults)");
	return (nns - 1) * 192 + nns * 144 + opt;
}

/* Which loaded objects' TLS blocks a plugin's dlopen must place in the
 * static TLS block. */
struct tls_need {
	const struct context *ctx;
	int from;
	bool *needs; /* by loaded index */
};

/*
 * A TPOFF relocation needs the block of the module its symbol binds to
 * (sym_map in glibc's CHECK_STATIC_TLS), or its own block for symbol 0.
 * DF_STATIC_TLS needs nothing: glibc 2.36 never reads the flag (only
 * elf.h names it), so a plugin that has TLS of its own in the dynamic
 * model and reaches the host's block in the initial-exec model carries
 * the flag and costs nothing.
 */
static void note_tpoff(const struct elf_reloc *rel, void *arg)
{
	struct tls_need *tn = arg;
	struct process *p = tn->ctx->p;
	const struct object *obj = p->loaded[tn->from].obj;
	int def = tn->from;

	if (!rel->tpoff)
		return;
	if (rel->sym && rel->sym < obj->elf.n_dynsym) {
		const struct elf_sym *s = &obj->elf.dynsym[rel->sym];

		def = ldso_bind(p, tn->from, s->name, ldso_ref_version(obj, s)).def;
		/* Unbound: undefined-symbols says so; a local one is its own. */
		if (def < 0)
			def = elf_sym_defined(s) ? tn->from : -1;
	}
	if (def >= 0)
		tn->needs[def] = true;
}

static bool tls_placed(const struct static_tls_spent *spent, const struct object *obj)
{
	for (size_t i = 0; i < spent->n; i++)
		if (spent->placed[i] == obj)
			return true;
	return false;
}

static bool tls_place(struct static_tls_spent *spent, const struct object *obj)
{
	if (spent->n == spent->cap) {
		size_t cap = spent->cap ? 2 * spent->cap : 8;
		const struct object **grown = realloc(spent->placed, cap * sizeof(*grown));

		if (!grown)
			return false;
		spent->placed = grown;
		spent->cap = cap;
	}
	spent->placed[spent->n++] = obj;
	spent->bytes += obj->elf.tls_memsz;
	return true;
}

static void check_static_tls(const struct context *ctx, const struct target *t, struct verdict *v)
{
	const struct process *p = ctx->p;
	struct static_tls_spent *spent = ctx->tls_spent;
	struct tls_need tn = {.ctx = ctx, .needs = calloc(p->n_loaded, sizeof(bool))};
	unsigned long long total = 0, dynamic = 0, before = spent->bytes, surplus;
	char source[256];
	size_t late = 0, charged = 0, placed_before = spent->n;

	if (!tn.needs)
		return verdict_skip(v, "out of memory");
	surplus = static_tls_surplus(source, sizeof(source));
	for (size_t i = t->first; i < t->last; i++) {
		const struct elf_file *e = &p->loaded[i].obj->elf;

		if (!is_late(ctx, t, i))
			continue;
		late++;
		tn.from = (int)i;
		if (e->n_tpoff_relocs)
			elf_each_reloc(e, note_tpoff, &tn);
	}
	/* Every block a TPOFF reaches, this dlopen's or an earlier RTLD_GLOBAL
	 * plugin's: one not placed yet is placed now. */
	for (size_t i = 0; i < p->n_loaded; i++) {
		const struct loaded *l = &p->loaded[i];
		const char *by = (int)i == t->root ? "the plugin itself" : "a dependency it loads";

		if (!tn.needs[i]) {
			if (i >= t->first && i < t->last && is_late(ctx, t, i) &&
			    l->obj->elf.has_tls)
				dynamic += l->obj->elf.tls_memsz;
			continue;
		}
		/* Start-up placed these blocks already: a reference into
		 * libc's errno or the host's TLS costs nothing. */
		if (ctx->have_startup ? i < p->n_startup : is_libc(l->obj))
			continue;
		if (!ctx->have_startup && (int)i != t->root) {
			verdict_warn(
				v,
				"%s: %llu bytes of TLS used in the initial-exec model; without "
				"--shim or --host it is unknown whether start-up loads it",
				name_of(l), (unsigned long long)l->obj->elf.tls_memsz);
			continue;
		}
		/* An earlier plugin's closure placed it: ld.so uses it again. */
		if (tls_placed(spent, l->obj))
			continue;
		if (!tls_place(spent, l->obj)) {
			free(tn.needs);
			return verdict_skip(v, "out of memory");
		}
		charged++;
		total += l->obj->elf.tls_memsz;
		if ((int)i == t->root)
			verdict_fail(
				v,
				"%s (%s) needs %llu bytes of static TLS for its own initial-exec "
				"TLS",
				name_of(l), by, (unsigned long long)l->obj->elf.tls_memsz);
		else
			verdict_warn(v,
				     "%s (%s) needs %llu bytes of static TLS: a budget every "
				     "late-loaded object shares",
				     name_of(l), by, (unsigned long long)l->obj->elf.tls_memsz);
	}
	free(tn.needs);
	/* Over the budget, dlopen fails and unloads what it brought in: the
	 * plugins after it find what was spent before it. */
	if (before + total > surplus) {
		spent->n = placed_before;
		spent->bytes = before;
	}
	if (total > surplus)
		verdict_fail(v,
			     "total: %llu bytes of new static TLS, more than the %llu spare bytes "
			     "(%s)",
			     total, surplus, source);
	else if (charged && before + total > surplus)
		verdict_fail(v,
			     "total: %llu bytes of new static TLS; the plugins checked before it "
			     "placed %llu bytes in %zu object%s: %llu in all, more than the %llu "
			     "spare bytes (%s): dlopen fails for the plugin that finds them spent",
			     total, before, placed_before, placed_before == 1 ? "" : "s",
			     before + total, surplus, source);
	else if (charged && before)
		verdict_note(
			v,
			"total: %llu bytes of new static TLS, %llu with what the plugins checked "
			"before it placed, of the %llu spare bytes (%s)",
			total, before + total, surplus, source);
	else if (charged)
		verdict_note(v, "total: %llu of the %llu spare bytes of static TLS (%s)", total,
			     surplus, source);
	else if (v->status == STATUS_PASS)
		verdict_note(v,
			     "no new static TLS in %zu late-loaded object%s (%llu bytes of dynamic "
			     "TLS; %llu spare bytes, %llu of them left after the plugins checked "
			     "before it: %s)",
			     late, late == 1 ? "" : "s", dynamic, surplus,
			     before < surplus ? surplus - before : 0, source);
}

/* ---- tlsdesc ------------------------------------------------------- */

/* Whether the glibc plugkit runs on has the fix for BZ #31372 (2.40). */
static bool glibc_saves_tlsdesc_registers(void)
{
	const char *v = gnu_get_libc_version();
	int major = 0, minor = 0;

	return sscanf(v, "%d.%d", &major, &minor) == 2 && (major > 2 || minor >= 40);
}

static void check_tlsdesc(const struct context *ctx, const struct target *t, struct verdict *v)
{
	size_t users = 0;

	for (size_t i = t->first; i < t->last; i++) {
		const struct elf_file *e = &ctx->p->loaded[i].obj->elf;

		if (!is_late(ctx, t, i) || !e->n_tlsdesc_relocs)
			continue;
		users++;
		if (!glibc_saves_tlsdesc_registers())
			verdict_warn(
				v,
				"%s: %zu TLS descriptor relocation%s (-mtls-dialect=gnu2), and glibc "
				"%s does not save vector registers on the descriptor's slow path",
				name_of(&ctx->p->loaded[i]), e->n_tlsdesc_relocs,
				e->n_tlsdesc_relocs == 1 ? "" : "s", gnu_get_libc_version());
	}
	if (v->status == STATUS_PASS)
		verdict_note(v, users ? "TLS descriptors, on a glibc that saves the registers"
				      : "no TLS descriptors");
}

/* ---- one-host, second-host ----------------------------------------- */

/* "libfoo.so.1" -> length of "libfoo": copies of one library share it. */
static size_t soname_stem(const char *soname)
{
	const char *so = strstr(soname, ".so");

	return so ? (size_t)(so - soname) : strlen(soname);
}

/* Part of a host's API: an exported definition that is not the allocator
 * and not one of the linker's or C runtime's own (_init, __bss_start). */
static bool is_api_symbol(const struct elf_sym *s)
{
	static const char *const runtime[] = {"_init",  "_fini",          "_edata",     "_end",
					      "_start", "_IO_stdin_used", "data_start", NULL};

	return elf_sym_defined(s) && s->bind != STB_LOCAL && s->shndx != SHN_ABS &&
	       (s->type == STT_FUNC || s->type == STT_OBJECT || s->type == STT_GNU_IFUNC) &&
	       strncmp(s->name, "__", 2) != 0 && !name_in(runtime, s->name) &&
	       !allocator_is_symbol(s->name);
}

/* Whether a late-loaded object of t refers to name (an undefined entry, or
 * a definition a relocation names) and ld.so binds that reference to host. */
static bool late_reference_binds_to(const struct context *ctx, const struct target *t,
				    const char *name, const struct object *host)
{
	for (size_t i = t->first; i < t->last; i++) {
		const struct object *obj = ctx->p->loaded[i].obj;
		struct elf_lookup it;

		if (!is_late(ctx, t, i))
			continue;
		for (long k = elf_lookup_first(&obj->elf, name, ELF_LOOKUP_ALL, &it); k >= 0;
		     k = elf_lookup_next(&obj->elf, &it)) {
			const struct elf_sym *s = &obj->elf.dynsym[k];
			struct binding b;

			if (elf_sym_defined(s) && !s->referenced)
				continue;
			b = ldso_bind(ctx->p, (int)i, name, ldso_ref_version(obj, s));
			if (b.def >= 0 && ctx->p->loaded[b.def].obj == host)
				return true;
		}
	}
	return false;
}

/*
 * The host's API defined again, by obj, loaded late.  ld.so binds a name to
 * its first definition in the global scope (do_lookup_x), where the host
 * already is: every reference of the plugin's closure to a name both
 * define, obj's own among them, lands in the host, while obj's constructors,
 * its direct calls and its data keep to obj's copy.  One API with two
 * implementations, each with its own state, is two hosts: a libpython
 * beside a python executable that has the interpreter built in is
 * initialised, and its own references bind into the first interpreter.
 * The witness is therefore a binding, not a count: an API symbol obj
 * defines and the host exports, that a reference in the closure resolves to
 * the host instead of obj.  A definition nothing in the closure refers to
 * is not API in use (its duplicate is dead code), and is left alone.
 * Returns how many such symbols obj has, naming them in names.
 */
static size_t redefined_api(const struct context *ctx, const struct target *t,
			    const struct object *host, const struct object *obj,
			    struct name_list *names)
{
	size_t n = 0;

	for (size_t k = 1; k < obj->elf.n_dynsym; k++) {
		const struct elf_sym *s = &obj->elf.dynsym[k];

		if (!is_api_symbol(s) || !exports_symbol(host, s->name) ||
		    !late_reference_binds_to(ctx, t, s->name, host))
			continue;
		n++;
		name_list_add(names, s->name);
	}
	return n;
}

/*
 * Whether a late-loaded object is another copy of the host: the host
 * library's SONAME with another version (its next major release beside
 * the running one), or an object that defines the host's API again (a
 * libpython beside the python executable, a libperl beside perl).  An
 * executable that exports an API is a host too, even when --host names a
 * library: that library, loaded late, is its second copy.
 */
static bool is_host_copy(const struct context *ctx, const struct target *t,
			 const struct object *obj, size_t *shared, struct name_list *names)
{
	const char *soname = ctx->host->elf.soname;

	*shared = 0;
	if (ctx->shim && ctx->shim != ctx->host && obj != ctx->shim &&
	    (*shared = redefined_api(ctx, t, ctx->shim, obj, names)))
		return true;
	if (obj == ctx->host)
		return false;
	if (soname && ctx->host != ctx->shim && obj->elf.soname) {
		size_t stem = soname_stem(soname);

		if (soname_stem(obj->elf.soname) == stem &&
		    strncmp(obj->elf.soname, soname, stem) == 0)
			return true;
	}
	return (*shared = redefined_api(ctx, t, ctx->host, obj, names)) != 0;
}

static void check_one_host(const struct context *ctx, const struct target *t, struct verdict *v)
{
	const char *soname = ctx->host->elf.soname;
	const struct elf_file *plugin = &t->obj->elf;
	size_t refs = 0;

	if (ctx->host != ctx->shim && !soname)
		return verdict_fail(v,
				    "the host %s has no SONAME: plugins cannot name it, and "
				    "each would find its own copy",
				    ctx->host_arg);
	/* The references that reach the host, wherever the plugin got its
	 * API from: DT_NEEDED, the executable, or a callback table. */
	for (size_t k = 1; k < plugin->n_dynsym; k++) {
		const struct elf_sym *s = &plugin->dynsym[k];
		struct binding b;

		if (elf_sym_defined(s) || !s->name[0])
			continue;
		b = ldso_bind(ctx->p, t->root, s->name, ldso_ref_version(t->obj, s));
		if (b.def >= 0 && ctx->p->loaded[b.def].obj == ctx->host)
			refs++;
	}
	if (ctx->host == ctx->shim)
		return verdict_note(v, "the executable is the host: %zu reference%s bind%s to it",
				    refs, refs == 1 ? "" : "s", refs == 1 ? "s" : "");
	for (size_t i = 0; i < plugin->n_needed; i++)
		if (strcmp(plugin->needed[i], soname) == 0)
			return verdict_note(v, "needs %s (%zu references bind to it)", soname,
					    refs);
	verdict_note(v,
		     "links no host library (%zu references bind to %s): its API comes from the "
		     "global scope or a table the host hands over",
		     refs, soname);
}

static void check_second_host(const struct context *ctx, const struct target *t, struct verdict *v)
{
	for (size_t i = t->first; i < t->last; i++) {
		const struct loaded *l = &ctx->p->loaded[i];
		struct name_list names = {0};
		size_t shared;

		if (!is_late(ctx, t, i) || !is_host_copy(ctx, t, l->obj, &shared, &names))
			continue;
		if (shared)
			verdict_fail(
				v,
				"loading it also loads %s (%s), which defines %zu symbol%s of the "
				"host's API again that ld.so binds to the host instead (%s%s): a "
				"second copy of the host, with globals (and a heap) of its own",
				name_of(l), l->obj->elf.path, shared, shared == 1 ? "" : "s",
				names.buf, name_list_more(&names));
		else
			verdict_fail(
				v,
				"loading it also loads %s (%s): a second copy of the host, with "
				"globals (and a heap) of its own",
				name_of(l), l->obj->elf.path);
	}
	if (v->status == STATUS_PASS)
		verdict_note(v, "loads no other copy of %s", ctx->host_arg);
}

/* ---- search-path --------------------------------------------------- */

static void judge_path_list(const struct ldso *ld, const struct object *obj, const char *tag,
			    const char *list, struct verdict *v)
{
	char entry[4096], dir[4096];

	for (const char *s = list;;) {
		size_t n = strcspn(s, ":");
		struct stat st;

		snprintf(entry, sizeof(entry), "%.*s", (int)n, s);
		if (n == 0)
			verdict_fail(
				v, "%s has an empty entry: ld.so reads it as the current directory",
				tag);
		else if (strspn(entry, "X") == n)
			/* Meson pads build-tree rpaths so the install rpath fits
			 * in place; meson install removes the padding. */
			verdict_warn(
				v,
				"%s entry '%s' is Meson's build-tree padding: check the installed "
				"file",
				tag, entry);
		else if (!ldso_expand(ld, obj, entry, dir, sizeof(dir)))
			verdict_fail(v, "%s entry '%s' uses a token ld.so does not expand", tag,
				     entry);
		else if (entry[0] != '/' && strncmp(entry, "$ORIGIN", 7) != 0 &&
			 strncmp(entry, "${ORIGIN}", 9) != 0)
			verdict_fail(v,
				     "%s entry '%s' is relative to the current directory, not to "
				     "$ORIGIN",
				     tag, entry);
		else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			verdict_fail(v, "%s entry '%s' (%s) is not a directory", tag, entry, dir);
		else if ((st.st_mode & S_IWOTH) != 0)
			verdict_fail(v,
				     "%s entry '%s' (%s) is world-writable: anyone can plant a "
				     "library there",
				     tag, entry, dir);
		else if (entry[0] == '/')
			verdict_warn(v, "%s entry '%s' is absolute: the install cannot move", tag,
				     entry);
		if (!s[n])
			return;
		s += n + 1;
	}
}

void judge_search_path(const struct ldso *ld, const struct object *obj, struct verdict *v)
{
	if (obj->elf.rpath)
		judge_path_list(ld, obj, "DT_RPATH", obj->elf.rpath, v);
	if (obj->elf.runpath)
		judge_path_list(ld, obj, "DT_RUNPATH", obj->elf.runpath, v);
}

static void check_search_path(const struct context *ctx, const struct target *t, struct verdict *v)
{
	judge_search_path(ctx->ld, t->obj, v);
	if (t->root < 0 && ctx->host && ctx->host != t->obj)
		judge_search_path(ctx->ld, ctx->host, v);
	if (v->status == STATUS_PASS) {
		const char *path = t->obj->elf.runpath ? t->obj->elf.runpath : t->obj->elf.rpath;

		verdict_note(v, path ? "search path %s" : "no search path of its own", path);
	}
}

/* ---- needed-resolves ----------------------------------------------- */

static void check_needed_resolves(const struct context *ctx, const struct target *t,
				  struct verdict *v)
{
	const struct process *p = ctx->p;

	for (size_t i = 0; i < p->n_unresolved; i++) {
		const struct unresolved *u = &p->unresolved[i];

		if ((size_t)u->requester < t->first || (size_t)u->requester >= t->last)
			continue;
		verdict_fail(v, "%s (needed by %s) is found nowhere; searched %s", u->name,
			     name_of(&p->loaded[u->requester]),
			     u->searched ? u->searched : "nothing");
	}
	if (v->status == STATUS_PASS)
		verdict_note(v, "%zu objects load", t->last - t->first);
}

/* ---- undefined-symbols --------------------------------------------- */

static bool has_unresolved(const struct process *p, size_t i)
{
	for (size_t k = 0; k < p->n_unresolved; k++)
		if ((size_t)p->unresolved[k].requester == i)
			return true;
	return false;
}

/* Marks the symbols a relocation outside DT_JMPREL names: data and
 * address references, which RTLD_LAZY still binds at dlopen. */
struct eager_refs {
	bool *named; /* by dynsym index */
	size_t n;
};

static void note_eager(const struct elf_reloc *rel, void *arg)
{
	struct eager_refs *e = arg;

	if (!rel->plt && rel->sym < e->n)
		e->named[rel->sym] = true;
}

static void check_undefined(const struct context *ctx, const struct target *t, struct verdict *v)
{
	for (size_t i = t->first; i < t->last; i++) {
		const struct loaded *l = &ctx->p->loaded[i];
		struct name_list now = {0}, later = {0};
		struct eager_refs eager = {.n = l->obj->elf.n_dynsym};

		/* With a DT_NEEDED missing, needed-resolves says what matters. */
		if (!is_late(ctx, t, i) || has_unresolved(ctx->p, i))
			continue;
		/* RTLD_LAZY (without DF_BIND_NOW / DF_1_NOW) leaves calls through
		 * the PLT to their first use; everything else binds at dlopen. */
		if (ctx->dlopen_lazy && !(l->obj->elf.flags & DF_BIND_NOW) &&
		    !(l->obj->elf.flags_1 & DF_1_NOW) &&
		    (eager.named = calloc(eager.n, sizeof(bool))))
			elf_each_reloc(&l->obj->elf, note_eager, &eager);
		for (size_t k = 1; k < l->obj->elf.n_dynsym; k++) {
			const struct elf_sym *s = &l->obj->elf.dynsym[k];
			const struct elf_version *ver;
			char full[512], vs[128];

			if (elf_sym_defined(s) || s->bind != STB_GLOBAL || !s->name[0])
				continue;
			ver = ldso_ref_version(l->obj, s);
			if (ldso_bind(ctx->p, (int)i, s->name, ver).def >= 0)
				continue;
			snprintf(full, sizeof(full), "%s%s", s->name,
				 version_suffix(ver, vs, sizeof(vs)));
			name_list_add(eager.named && !eager.named[k] ? &later : &now, full);
		}
		free(eager.named);
		if (now.n)
			verdict_fail(v, "%s: %zu undefined symbol%s nothing defines: %s%s",
				     name_of(l), now.n, now.n == 1 ? "" : "s", now.buf,
				     name_list_more(&now));
		if (later.n)
			verdict_warn(
				v,
				"%s: %zu function%s nothing defines, bound at the first call under "
				"RTLD_LAZY (a call kills the process): %s%s",
				name_of(l), later.n, later.n == 1 ? "" : "s", later.buf,
				name_list_more(&later));
	}
	if (v->status == STATUS_PASS)
		verdict_note(v, "every strong undefined symbol binds");
}

/* ---- textrel, exec-stack, wx-segment -------------------------------- */

static void judge_late_flag(const struct context *ctx, const struct target *t, struct verdict *v,
			    bool (*has)(const struct elf_file *), const char *what)
{
	size_t late = 0;

	for (size_t i = t->first; i < t->last; i++) {
		if (!is_late(ctx, t, i))
			continue;
		late++;
		if (has(&ctx->p->loaded[i].obj->elf))
			verdict_fail(v, "%s %s", name_of(&ctx->p->loaded[i]), what);
	}
	if (v->status == STATUS_PASS)
		verdict_note(v, "none of %zu late-loaded object%s does", late,
			     late == 1 ? "" : "s");
}

static bool has_textrel(const struct elf_file *e)
{
	return e->textrel;
}
static bool has_exec_stack(const struct elf_file *e)
{
	return e->exec_stack;
}
static bool has_wx(const struct elf_file *e)
{
	return e->wx_segment;
}

static void check_textrel(const struct context *ctx, const struct target *t, struct verdict *v)
{
	judge_late_flag(ctx, t, v, has_textrel, "has text relocations (DT_TEXTREL)");
}

static void check_exec_stack(const struct context *ctx, const struct target *t, struct verdict *v)
{
	judge_late_flag(ctx, t, v, has_exec_stack,
			"asks for an executable stack (PT_GNU_STACK with PF_X, or none)");
}

static void check_wx_segment(const struct context *ctx, const struct target *t, struct verdict *v)
{
	judge_late_flag(ctx, t, v, has_wx, "has a segment both writable and executable");
}

/* ---- exports ------------------------------------------------------- */

static bool matches_entry(const struct context *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->n_entries; i++)
		if (fnmatch(ctx->entries[i], name, 0) == 0)
			return true;
	return false;
}

static void check_exports(const struct context *ctx, const struct target *t, struct verdict *v)
{
	const struct elf_file *e = &t->obj->elf;
	struct name_list all = {0}, extra = {0};

	for (size_t i = 1; i < e->n_dynsym; i++) {
		const struct elf_sym *s = &e->dynsym[i];

		/* Version definitions show up as absolute symbols of value 0. */
		if (!elf_sym_defined(s) || s->bind == STB_LOCAL || s->shndx == SHN_ABS)
			continue;
		name_list_add(&all, s->name);
		if (ctx->n_entries && !matches_entry(ctx, s->name))
			name_list_add(&extra, s->name);
	}
	for (size_t i = 0; i < ctx->n_entries; i++) {
		bool found = false;

		for (size_t k = 1; k < e->n_dynsym && !found; k++)
			found = elf_sym_defined(&e->dynsym[k]) && e->dynsym[k].bind != STB_LOCAL &&
				fnmatch(ctx->entries[i], e->dynsym[k].name, 0) == 0;
		if (!found)
			verdict_fail(v, "exports no entry point matching '%s'", ctx->entries[i]);
	}
	if (extra.n)
		verdict_warn(v, "exports %zu symbol%s besides its entry points: %s%s", extra.n,
			     extra.n == 1 ? "" : "s", extra.buf, name_list_more(&extra));
	else if (!ctx->n_entries && all.n > 8)
		verdict_warn(v, "exports %zu symbols: %s%s", all.n, all.buf, name_list_more(&all));
	if (v->status == STATUS_PASS)
		verdict_note(v, "exports %s", all.n ? all.buf : "nothing");
}

/* ---- the table ------------------------------------------------------ */

enum { ON_PROCESS = 1, ON_PLUGIN = 2 };
enum { NEEDS_STARTUP = 1, NEEDS_HOST = 2, NEEDS_SHIM = 4 };

struct check_def {
	enum rule_id rule;
	unsigned on, needs;
	void (*run)(const struct context *, const struct target *, struct verdict *);
};

static const struct check_def table[] = {
	{RULE_SHIM, ON_PROCESS, NEEDS_SHIM, check_shim},
	{RULE_ALLOCATOR_BINDING, ON_PROCESS | ON_PLUGIN, NEEDS_STARTUP, check_allocator_binding},
	{RULE_PRIVATE_ALLOCATOR, ON_PLUGIN, 0, check_private_allocator},
	{RULE_STATIC_TLS, ON_PLUGIN, 0, check_static_tls},
	{RULE_TLSDESC, ON_PLUGIN, 0, check_tlsdesc},
	{RULE_ONE_HOST, ON_PLUGIN, NEEDS_HOST, check_one_host},
	{RULE_SECOND_HOST, ON_PLUGIN, NEEDS_HOST, check_second_host},
	{RULE_SEARCH_PATH, ON_PROCESS | ON_PLUGIN, 0, check_search_path},
	{RULE_NEEDED_RESOLVES, ON_PROCESS | ON_PLUGIN, 0, check_needed_resolves},
	{RULE_UNDEFINED_SYMBOLS, ON_PLUGIN, NEEDS_STARTUP, check_undefined},
	{RULE_TEXTREL, ON_PLUGIN, 0, check_textrel},
	{RULE_EXEC_STACK, ON_PLUGIN, 0, check_exec_stack},
	{RULE_WX_SEGMENT, ON_PLUGIN, 0, check_wx_segment},
	{RULE_EXPORTS, ON_PLUGIN, 0, check_exports},
};

#define N_CHECKS (sizeof(table) / sizeof(table[0]))

static void run_one(const struct context *ctx, const struct check_def *d, const struct target *t,
		    struct report *r)
{
	struct verdict v = {.skip_notes = r->skip_pass_notes};

	if ((d->needs & NEEDS_SHIM) && !ctx->shim)
		verdict_skip(&v, "needs --shim");
	else if ((d->needs & NEEDS_HOST) && !ctx->host)
		verdict_skip(&v, "needs --host");
	else if ((d->needs & NEEDS_STARTUP) && !ctx->have_startup)
		verdict_skip(
			&v, "needs --shim or --host: the answer depends on what the process loads");
	else
		d->run(ctx, t, &v);
	report_add(r, &plugkit_rules[d->rule], t->file, &v);
}

/* The first start-up object other than libc that exports a malloc. */
static int intended_provider(const struct context *ctx)
{
	for (size_t i = 0; i < ctx->p->n_startup; i++) {
		struct object *obj = ctx->p->loaded[i].obj;

		if (!is_libc(obj) && exports_symbol(obj, "malloc"))
			return (int)i;
	}
	return -1;
}

int run_checks(struct context *ctx, struct object **plugins, char *const *plugin_args,
	       size_t n_plugins, struct report *r)
{
	struct static_tls_spent tls_spent = {0};
	int status = 0;

	ctx->host_idx = ctx->provider = ctx->intended = -1;
	memset(ctx->p, 0, sizeof(*ctx->p));
	/* The executable can be the host (perl, python3: the API built in and
	 * exported): named by --host alone, or the shim with no --host. */
	if (ctx->host && !ctx->shim && is_executable(ctx->host))
		ctx->shim = ctx->host, ctx->shim_arg = ctx->host_arg;
	else if (ctx->shim && !ctx->host)
		ctx->host = ctx->shim, ctx->host_arg = ctx->shim_arg;
	if (ctx->shim || ctx->host) {
		if (process_start(ctx->ld, ctx->p, ctx->shim ? ctx->shim : ctx->host) != 0)
			return -1;
		ctx->have_startup = true;
		for (size_t i = 0; i < ctx->p->n_loaded; i++)
			if (ctx->host && ctx->p->loaded[i].obj == ctx->host)
				ctx->host_idx = (int)i;
		ctx->provider = ldso_bind(ctx->p, 0, "malloc", NULL).def;
		ctx->intended = intended_provider(ctx);
		struct target t = {
			.file = ctx->shim ? ctx->shim_arg : ctx->host_arg,
			.obj = ctx->shim ? ctx->shim : ctx->host,
			.first = 0,
			.last = ctx->p->n_startup,
			.root = -1,
		};
		for (size_t c = 0; c < N_CHECKS; c++)
			if (table[c].on & ON_PROCESS)
				run_one(ctx, &table[c], &t, r);
	}
	ctx->tls_spent = &tls_spent;
	for (size_t i = 0; i < n_plugins; i++) {
		struct target t = {.file = plugin_args[i], .obj = plugins[i]};

		if ((t.root = process_dlopen(ctx->ld, ctx->p, plugins[i], ctx->host_idx)) < 0) {
			status = -1;
			break;
		}
		t.first = ctx->p->n_global;
		t.last = ctx->p->n_loaded;
		/* A "plugin" that start-up (or an earlier RTLD_GLOBAL plugin)
		 * already loaded brings nothing new. */
		if ((size_t)t.root < ctx->p->n_global)
			t.first = t.last = (size_t)t.root, t.last++;
		for (size_t c = 0; c < N_CHECKS; c++)
			if (table[c].on & ON_PLUGIN)
				run_one(ctx, &table[c], &t, r);
		if (ctx->dlopen_global)
			process_make_global(ctx->p);
		else
			process_reset(ctx->p);
	}
	free(tls_spent.placed);
	ctx->tls_spent = NULL;
	return status;
}

void print_check_list(FILE *out)
{
	for (size_t c = 0; c < N_CHECKS; c++)
		fprintf(out, "  %-18s %s\n", plugkit_rules[table[c].rule].id,
			plugkit_rules[table[c].rule].title);
}

bool is_check_id(const char *id)
{
	for (size_t c = 0; c < N_CHECKS; c++)
		if (strcmp(plugkit_rules[table[c].rule].id, id) == 0)
			return true;
	return false;
}
