/*
 * The ld.so simulation on files made here (core/test-image.h), laid out in
 * a scratch directory that stands for the whole system: its own "system"
 * directory and no ld.so.cache.  Each test states one of glibc's rules
 * (elf/dl-load.c, elf/dl-lookup.c) and checks that ldso.c applies it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ldso.h"
#include "test-image.h"

/* One scratch tree per test. */
struct world {
	char root[64];
	char sys[96];
	const char *system_dirs[2];
	struct ldso ld;
	struct process p;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	snprintf(w->root, sizeof(w->root), "/tmp/plugkit-ldso-XXXXXX");
	if (!mkdtemp(w->root))
		return -1;
	snprintf(w->sys, sizeof(w->sys), "%s/sys", w->root);
	w->system_dirs[0] = w->sys;
	if (ldso_init_with(&w->ld, NULL, w->system_dirs) != 0)
		return -1;
	*state = w;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct world *w = *state;

	process_free(&w->p);
	ldso_free(&w->ld);
	nftw(w->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(w);
	return 0;
}

/* Writes spec as root/dir/name (dir made as needed); returns its path. */
static const char *put_file(struct world *w, const char *dir, const char *name,
			    const struct image_spec *spec)
{
	static char path[PATH_MAX];
	char d[PATH_MAX];
	struct image im;

	snprintf(d, sizeof(d), "%s/%s", w->root, dir);
	for (char *s = d + strlen(w->root) + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			assert_true(mkdir(d, 0755) == 0 || access(d, F_OK) == 0);
			*s = c;
		}
		if (!*s)
			break;
	}
	image_build(&im, spec);
	snprintf(path, sizeof(path), "%s", image_write(d, name, im.buf, im.size));
	return path;
}

static struct object *open_file(struct world *w, const char *path)
{
	char err[PATH_MAX + 128];
	struct object *obj = ldso_open(&w->ld, path, err, sizeof(err));

	if (!obj)
		fail_msg("%s", err);
	return obj;
}

/* The loaded index of the object whose file is root/rel, or -1.  ld.so
 * keeps the path it built ("$ORIGIN/../a" gives "bin/../a/libx.so"). */
static int loaded_from(const struct world *w, const char *rel)
{
	char path[PATH_MAX], want[PATH_MAX], real[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", w->root, rel);
	if (!realpath(path, want))
		return -1;
	for (size_t i = 0; i < w->p.n_loaded; i++)
		if (realpath(w->p.loaded[i].obj->elf.path, real) && strcmp(real, want) == 0)
			return (int)i;
	return -1;
}

static bool unresolved(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->p.n_unresolved; i++)
		if (strcmp(w->p.unresolved[i].name, name) == 0)
			return true;
	return false;
}

/* Start-up from root/rel. */
static void start(struct world *w, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", w->root, rel);
	assert_int_equal(process_start(&w->ld, &w->p, open_file(w, path)), 0);
}

/* dlopen of root/rel, called from caller (a loaded index, or -1). */
static int dlopen_file(struct world *w, const char *rel, int caller)
{
	char path[PATH_MAX];
	int idx;

	snprintf(path, sizeof(path), "%s/%s", w->root, rel);
	idx = process_dlopen(&w->ld, &w->p, open_file(w, path), caller);
	assert_true(idx >= 0);
	return idx;
}

/* ---- where a DT_NEEDED is found ------------------------------------- */

/* DT_RPATH is used only when the requester has no DT_RUNPATH. */
static void runpath_hides_rpath(void **state)
{
	struct world *w = *state;

	put_file(w, "a", "libx.so", &(struct image_spec){0});
	put_file(w, "b", "libx.so", &(struct image_spec){0});
	put_file(w, "bin", "both",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libx.so"},
				      .rpath = "$ORIGIN/../a",
				      .runpath = "$ORIGIN/../b"});
	start(w, "bin/both");
	assert_int_equal(loaded_from(w, "b/libx.so"), 1);
	assert_int_equal(loaded_from(w, "a/libx.so"), -1);
	process_free(&w->p);

	put_file(w, "bin", "rpath-only",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libx.so"},
				      .rpath = "$ORIGIN/../a"});
	start(w, "bin/rpath-only");
	assert_int_equal(loaded_from(w, "a/libx.so"), 1);
}

/* A search path comes before the system directories. */
static void search_path_before_system_dirs(void **state)
{
	struct world *w = *state;

	put_file(w, "sys", "libx.so", &(struct image_spec){0});
	put_file(w, "a", "libx.so", &(struct image_spec){0});
	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libx.so", "liby.so"},
				      .runpath = "$ORIGIN/../a"});
	put_file(w, "sys", "liby.so", &(struct image_spec){0});
	start(w, "bin/prog");
	assert_int_equal(loaded_from(w, "a/libx.so"), 1);
	assert_int_equal(loaded_from(w, "sys/liby.so"), 2);
	assert_int_equal(w->p.n_unresolved, 0);
}

/*
 * A library without DT_RUNPATH is searched for in the DT_RPATH of every
 * object that loaded it, up to the executable; one with DT_RUNPATH uses its
 * own DT_RUNPATH alone.
 */
static void rpath_of_the_loading_chain(void **state)
{
	struct world *w = *state;

	put_file(w, "a", "libmid.so", &(struct image_spec){.needed = {"libleaf.so"}});
	put_file(w, "a", "libleaf.so", &(struct image_spec){0});
	put_file(w, "a", "libmid-runpath.so",
		 &(struct image_spec){.needed = {"libleaf2.so"}, .runpath = "$ORIGIN/../nowhere"});
	put_file(w, "a", "libleaf2.so", &(struct image_spec){0});
	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libmid.so", "libmid-runpath.so"},
				      .rpath = "$ORIGIN/../a"});
	start(w, "bin/prog");
	assert_true(loaded_from(w, "a/libleaf.so") > 0);
	assert_int_equal(loaded_from(w, "a/libleaf2.so"), -1);
	assert_true(unresolved(w, "libleaf2.so"));
}

/* A plugin's needs are looked for in its caller's DT_RPATH chain. */
static void dlopen_uses_the_callers_rpath(void **state)
{
	struct world *w = *state;
	int host;

	put_file(w, "lib", "libhost.so.1",
		 &(struct image_spec){.soname = "libhost.so.1", .rpath = "$ORIGIN/private"});
	put_file(w, "lib/private", "libhelper.so", &(struct image_spec){0});
	put_file(w, "plugins", "p.so", &(struct image_spec){.needed = {"libhelper.so"}});
	start(w, "lib/libhost.so.1");
	host = 0;
	dlopen_file(w, "plugins/p.so", -1);
	assert_true(unresolved(w, "libhelper.so"));
	process_reset(&w->p);
	assert_int_equal(w->p.n_unresolved, 0);
	dlopen_file(w, "plugins/p.so", host);
	assert_true(loaded_from(w, "lib/private/libhelper.so") > 0);
	assert_true(w->p.loaded[loaded_from(w, "lib/private/libhelper.so")].late);
}

/* Whoever calls dlopen, the executable's DT_RPATH is searched too. */
static void dlopen_uses_the_executables_rpath(void **state)
{
	struct world *w = *state;

	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC, .rpath = "$ORIGIN/../private"});
	put_file(w, "private", "libhelper.so", &(struct image_spec){0});
	put_file(w, "plugins", "p.so", &(struct image_spec){.needed = {"libhelper.so"}});
	start(w, "bin/prog");
	dlopen_file(w, "plugins/p.so", -1);
	assert_true(loaded_from(w, "private/libhelper.so") > 0);
}

/* DF_1_NODEFLIB: not the cache, not the system directories. */
static void nodeflib_skips_system_dirs(void **state)
{
	struct world *w = *state;

	put_file(w, "sys", "libsys.so", &(struct image_spec){0});
	put_file(w, "bin", "nodeflib",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libsys.so"},
				      .flags_1 = DF_1_NODEFLIB});
	put_file(w, "bin", "deflib",
		 &(struct image_spec){.type = ET_EXEC, .needed = {"libsys.so"}});
	start(w, "bin/nodeflib");
	assert_true(unresolved(w, "libsys.so"));
	assert_true(!w->p.unresolved[0].searched || !strstr(w->p.unresolved[0].searched, w->sys));
	process_free(&w->p);
	start(w, "bin/deflib");
	assert_int_equal(loaded_from(w, "sys/libsys.so"), 1);
}

/*
 * ld.so.cache, new format: a 48-byte header ("glibc-ld.so.cache1.1", the
 * entry count at offset 20), then 24-byte entries {flags, key, value,
 * osversion, hwcap} whose key and value are offsets of strings in the file.
 * One entry here: name found at path.
 */
static const char *put_cache(struct world *w, const char *name, const char *path)
{
	static char file[PATH_MAX];
	unsigned char buf[48 + 24 + 2 * PATH_MAX] = "glibc-ld.so.cache1.1";
	uint32_t nlibs = 1, key = 48 + 24, value = key + (uint32_t)strlen(name) + 1;

	memcpy(buf + 20, &nlibs, 4);
	memcpy(buf + 48 + 4, &key, 4);
	memcpy(buf + 48 + 8, &value, 4);
	strcpy((char *)buf + key, name);
	strcpy((char *)buf + value, path);
	snprintf(file, sizeof(file), "%s",
		 image_write(w->root, "ld.so.cache", buf, value + strlen(path) + 1));
	return file;
}

/* The cache is searched after the search paths, before the system
 * directories; DF_1_NODEFLIB skips it too. */
static void cache_before_system_dirs(void **state)
{
	struct world *w = *state;
	char cached[PATH_MAX];

	snprintf(cached, sizeof(cached), "%s/c", w->root);
	put_file(w, "c", "libcached.so", &(struct image_spec){0});
	put_file(w, "sys", "libcached.so", &(struct image_spec){0});
	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC, .needed = {"libcached.so"}});
	put_file(w, "bin", "nodeflib",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libcached.so"},
				      .flags_1 = DF_1_NODEFLIB});
	strcat(cached, "/libcached.so");
	ldso_free(&w->ld);
	assert_int_equal(ldso_init_with(&w->ld, put_cache(w, "libcached.so", cached),
					w->system_dirs),
			 0);
	assert_int_equal(w->ld.n_cache, 1);
	start(w, "bin/prog");
	assert_int_equal(loaded_from(w, "c/libcached.so"), 1);
	process_free(&w->p);
	start(w, "bin/nodeflib");
	assert_true(unresolved(w, "libcached.so"));
}

/* A name as the executable would load it (--host NAME): what start-up
 * loaded under that SONAME, then the executable's own search; without one,
 * the system directories, for a file like the one given. */
static void find_by_name(void **state)
{
	struct world *w = *state;
	char path[PATH_MAX], *searched;
	struct object *prog, *found;

	put_file(w, "a", "libh.so", &(struct image_spec){0});
	put_file(w, "sys", "libh.so", &(struct image_spec){0});
	put_file(w, "sys", "lib32.so", &(struct image_spec){.elf32 = true});
	put_file(w, "a", "libdep.so", &(struct image_spec){.soname = "libdep-soname.so.1"});
	snprintf(path, sizeof(path), "%s",
		 put_file(w, "bin", "prog",
			  &(struct image_spec){.type = ET_EXEC,
					       .needed = {"libdep.so"},
					       .runpath = "$ORIGIN/../a"}));
	prog = open_file(w, path);

	found = ldso_find(&w->ld, prog, NULL, "libh.so", &searched);
	assert_non_null(found);
	assert_non_null(strstr(found->elf.path, "/a/libh.so"));
	found = ldso_find(&w->ld, prog, NULL, "libdep-soname.so.1", &searched);
	assert_non_null(found);
	assert_non_null(strstr(found->elf.path, "/a/libdep.so"));
	found = ldso_find(&w->ld, NULL, NULL, "libh.so", &searched);
	assert_non_null(found);
	assert_non_null(strstr(found->elf.path, "/sys/libh.so"));
	free(searched);
	/* Of another class than the file given: passed over. */
	assert_null(ldso_find(&w->ld, NULL, prog, "lib32.so", &searched));
	assert_string_equal(searched, w->sys);
	free(searched);
	assert_non_null(ldso_find(&w->ld, NULL, NULL, "lib32.so", &searched));
	free(searched);
	/* Found nowhere: every place tried, the executable's first. */
	assert_null(ldso_find(&w->ld, prog, NULL, "libnone.so", &searched));
	snprintf(path, sizeof(path), "%s/bin/../a:%s", w->root, w->sys);
	assert_string_equal(searched, path);
	free(searched);
}

/* A candidate of another ELF class is passed over, and the search goes on. */
static void other_class_is_passed_over(void **state)
{
	struct world *w = *state;

	put_file(w, "a", "libx.so", &(struct image_spec){.elf32 = true});
	put_file(w, "sys", "libx.so", &(struct image_spec){0});
	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libx.so"},
				      .runpath = "$ORIGIN/../a"});
	start(w, "bin/prog");
	assert_int_equal(loaded_from(w, "sys/libx.so"), 1);
}

/* ---- dynamic string tokens ------------------------------------------ */

static void expands(const struct world *w, const struct object *obj, const char *entry,
		    const char *want)
{
	char out[PATH_MAX];

	assert_true(ldso_expand(&w->ld, obj, entry, out, sizeof(out)));
	assert_string_equal(out, want);
}

static void refuses(const struct world *w, const struct object *obj, const char *entry)
{
	char out[PATH_MAX];

	assert_false(ldso_expand(&w->ld, obj, entry, out, sizeof(out)));
}

static void dynamic_string_tokens(void **state)
{
	struct world *w = *state;
	struct object *obj = open_file(w, put_file(w, "x/y", "liba.so", &(struct image_spec){0}));
	char want[PATH_MAX], small[8];

	snprintf(want, sizeof(want), "%s/x/y/../lib", w->root);
	expands(w, obj, "$ORIGIN/../lib", want);
	expands(w, obj, "${ORIGIN}/../lib", want);
	snprintf(want, sizeof(want), "/usr/%s", w->ld.lib_dst);
	expands(w, obj, "/usr/$LIB", want);
	expands(w, obj, "/usr/${LIB}", want);
	snprintf(want, sizeof(want), "/opt/%s/lib", w->ld.platform_dst);
	expands(w, obj, "/opt/$PLATFORM/lib", want);
	expands(w, obj, "/opt/${PLATFORM}/lib", want);
	expands(w, obj, "/no/tokens", "/no/tokens");
	/* A longer name is another token, and ld.so expands no other. */
	refuses(w, obj, "$ORIGINAL/lib");
	refuses(w, obj, "$ORIGIN_2");
	refuses(w, obj, "$ORIGINal");
	refuses(w, obj, "$ORIGIN2/lib");
	refuses(w, obj, "$PREFIX/lib");
	refuses(w, obj, "${ORIGIN/lib");
	refuses(w, obj, "${}");
	refuses(w, obj, "$");
	/* Too long for the buffer: refused, never cut short. */
	assert_false(ldso_expand(&w->ld, obj, "$ORIGIN", small, sizeof(small)));
}

/* An entry with a token ld.so does not know is skipped, not searched. */
static void unknown_token_entry_is_skipped(void **state)
{
	struct world *w = *state;

	put_file(w, "a", "libx.so", &(struct image_spec){0});
	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"libx.so"},
				      .runpath = "$PREFIX/lib:$ORIGIN/../a"});
	start(w, "bin/prog");
	assert_int_equal(loaded_from(w, "a/libx.so"), 1);
}

/* ---- objects already loaded ----------------------------------------- */

/*
 * _dl_name_match_p: a DT_NEEDED is satisfied by an object loaded under that
 * name or carrying it as SONAME, before any search; and a file reached
 * under another name is the same object (device and inode).
 */
static void soname_and_inode_reuse(void **state)
{
	struct world *w = *state;
	char alias[PATH_MAX];
	int plugin;

	put_file(w, "lib", "libhost.so", &(struct image_spec){.soname = "libhost.so.1"});
	put_file(w, "plugins", "p.so",
		 &(struct image_spec){.needed = {"libhost.so.1", "libhost-alias.so"},
				      .runpath = "$ORIGIN/../lib"});
	snprintf(alias, sizeof(alias), "%s/lib/libhost-alias.so", w->root);
	assert_int_equal(symlink("libhost.so", alias), 0);
	start(w, "lib/libhost.so");
	plugin = dlopen_file(w, "plugins/p.so", 0);
	/* Nothing loaded beside the plugin: both names reached the host. */
	assert_int_equal(w->p.n_loaded, 2);
	assert_int_equal(w->p.n_unresolved, 0);
	assert_int_equal(w->p.n_local, 2);
	assert_int_equal(w->p.local[0], plugin);
	assert_int_equal(w->p.local[1], 0);
}

/* ---- scope and binding ---------------------------------------------- */

/*
 * The global scope is breadth-first over DT_NEEDED: prog, liba, libb,
 * libc2 (liba's), libd (libb's).  malloc, defined by libb and by libc2,
 * binds to libb, although libc2 comes first depth-first.
 */
static void breadth_first_global_scope(void **state)
{
	struct world *w = *state;
	struct binding b;
	int plugin;

	put_file(w, "sys", "liba.so", &(struct image_spec){.needed = {"libc2.so"}});
	put_file(w, "sys", "libb.so",
		 &(struct image_spec){.needed = {"libd.so"}, .syms = {{.name = "malloc"}}});
	put_file(w, "sys", "libc2.so",
		 &(struct image_spec){.syms = {{.name = "malloc"}, {.name = "g"}}});
	put_file(w, "sys", "libd.so", &(struct image_spec){0});
	put_file(w, "bin", "prog",
		 &(struct image_spec){.type = ET_EXEC,
				      .needed = {"liba.so", "libb.so"},
				      .syms = {{.name = "malloc", .undefined = true}}});
	put_file(w, "plugins", "p.so",
		 &(struct image_spec){.needed = {"libp.so"}, .runpath = "$ORIGIN"});
	put_file(w, "plugins", "libp.so",
		 &(struct image_spec){.syms = {{.name = "g"}, {.name = "only_here"}}});
	start(w, "bin/prog");
	assert_int_equal(w->p.n_startup, 5);
	assert_int_equal(loaded_from(w, "sys/liba.so"), 1);
	assert_int_equal(loaded_from(w, "sys/libb.so"), 2);
	assert_int_equal(loaded_from(w, "sys/libc2.so"), 3);
	assert_int_equal(loaded_from(w, "sys/libd.so"), 4);
	b = ldso_bind(&w->p, 0, "malloc", NULL);
	assert_int_equal(b.def, 2);

	/* A plugin's closure sees the global scope first, then its own. */
	plugin = dlopen_file(w, "plugins/p.so", -1);
	assert_int_equal(ldso_bind(&w->p, plugin, "g", NULL).def, 3);
	assert_int_equal(ldso_bind(&w->p, plugin, "only_here", NULL).def,
			 loaded_from(w, "plugins/libp.so"));
	/* RTLD_LOCAL: start-up objects do not see the plugin's closure. */
	assert_int_equal(ldso_bind(&w->p, 0, "only_here", NULL).def, -1);
	/* RTLD_GLOBAL: now they do, although the global scope's answer for
	 * only_here was remembered. */
	process_make_global(&w->p);
	assert_int_equal(ldso_bind(&w->p, 0, "only_here", NULL).def,
			 loaded_from(w, "plugins/libp.so"));
}

/*
 * check_match.  The reference is prog's undefined f, asking for version
 * V1 of libdef.so through DT_VERNEED (ref_hidden: a hidden one), or for no
 * version; the definitions are libdef.so's entries of f.
 */
static struct binding bind_f(struct world *w, bool versioned, bool ref_hidden,
			     const struct image_spec *def)
{
	struct image_spec prog = {.type = ET_EXEC,
				  .needed = {"libdef.so"},
				  .syms = {{.name = "f",
					    .undefined = true,
					    .versym = versioned ? 2 : 1}}};
	const struct elf_version *ver;
	struct object *obj;

	if (versioned)
		prog.versions[0] =
			(struct image_version){"V1", ref_hidden ? 0x8002 : 2, "libdef.so"};
	put_file(w, "sys", "libdef.so", def);
	put_file(w, "bin", "prog", &prog);
	process_free(&w->p);
	ldso_free(&w->ld);
	assert_int_equal(ldso_init_with(&w->ld, NULL, w->system_dirs), 0);
	start(w, "bin/prog");
	obj = w->p.loaded[0].obj;
	assert_int_equal(obj->elf.n_dynsym, 2);
	ver = ldso_ref_version(obj, &obj->elf.dynsym[1]);
	if (versioned) {
		assert_non_null(ver);
		assert_string_equal(ver->name, "V1");
		assert_int_equal(ver->hidden, ref_hidden);
	} else {
		assert_null(ver);
	}
	return ldso_bind(&w->p, 0, "f", ver);
}

static void check_match_versions(void **state)
{
	struct world *w = *state;
	/* libdef.so: f with no version information at all */
	struct image_spec plain = {.soname = "libdef.so", .syms = {{.name = "f"}}};
	/* f@@V1, the default version */
	struct image_spec v1 = {.soname = "libdef.so",
				.syms = {{.name = "f", .versym = 2}},
				.versions = {{"V1", 2, NULL}}};
	/* f@@V2 only */
	struct image_spec v2 = {.soname = "libdef.so",
				.syms = {{.name = "f", .versym = 2}},
				.versions = {{"V2", 2, NULL}}};
	/* f@V1, hidden, at index 2: the oldest version */
	struct image_spec oldest_hidden = {.soname = "libdef.so",
					   .syms = {{.name = "f", .versym = 0x8002}},
					   .versions = {{"V1", 2, NULL}}};
	/* V1 and V2 defined; f@@V2 only (index 3) */
	struct image_spec newer_only = {.soname = "libdef.so",
					.syms = {{.name = "f", .versym = 3}},
					.versions = {{"V1", 2, NULL}, {"V2", 3, NULL}}};
	/* V1 and V2 defined; f@V2 only, hidden */
	struct image_spec newer_hidden = {.soname = "libdef.so",
					  .syms = {{.name = "f", .versym = 0x8003}},
					  .versions = {{"V1", 2, NULL}, {"V2", 3, NULL}}};
	/* f@V2 and f@V3, neither hidden, neither at index 2 */
	struct image_spec two_newer =
		{.soname = "libdef.so",
		 .syms = {{.name = "f", .versym = 3}, {.name = "f", .versym = 4}},
		 .versions = {{"V1", 2, NULL}, {"V2", 3, NULL}, {"V3", 4, NULL}}};
	/* f@@V2 and f@V1 (hidden): symbol 1 and symbol 2 */
	struct image_spec two = {.soname = "libdef.so",
				 .syms = {{.name = "f", .versym = 3},
					  {.name = "f", .versym = 0x8002}},
				 .versions = {{"V1", 2, NULL}, {"V2", 3, NULL}}};
	/* f at the base version (index 1): a versioned file, an unversioned
	 * symbol */
	struct image_spec base = {.soname = "libdef.so",
				  .syms = {{.name = "f", .versym = 1}},
				  .versions = {{"V1", 2, NULL}}};

	/* Without version information in the definition, anything goes. */
	assert_int_equal(bind_f(w, true, false, &plain).def, 1);
	assert_int_equal(bind_f(w, false, false, &plain).def, 1);
	/* The same version; or, for an unversioned reference, the default. */
	assert_int_equal(bind_f(w, true, false, &v1).def, 1);
	assert_int_equal(bind_f(w, false, false, &v1).def, 1);
	/* Another version: refused (malloc@@HOST_1 does not satisfy a
	 * reference to malloc@GLIBC_2.2.5). */
	assert_int_equal(bind_f(w, true, false, &v2).def, -1);
	assert_int_equal(bind_f(w, true, false, &newer_only).def, -1);
	/* A hidden version satisfies a reference to its own name. */
	assert_int_equal(bind_f(w, true, false, &oldest_hidden).def, 1);
	/* An unversioned reference takes index 2, the oldest version, even
	 * hidden ("the oldest (default) version should be used"); ... */
	assert_int_equal(bind_f(w, false, false, &oldest_hidden).def, 1);
	assert_int_equal(bind_f(w, false, false, &two).sym, 2);
	/* ... above it, the one non-hidden version there is ... */
	assert_int_equal(bind_f(w, false, false, &newer_only).def, 1);
	assert_int_equal(bind_f(w, false, false, &newer_hidden).def, -1);
	/* ... and when there are two, none: the object does not define it. */
	assert_int_equal(bind_f(w, false, false, &two_newer).def, -1);
	/* A versioned reference takes its own version among several. */
	assert_int_equal(bind_f(w, true, false, &two).sym, 2);
	/* The base version counts as unversioned: it satisfies any reference
	 * that is not itself hidden. */
	assert_int_equal(bind_f(w, false, false, &base).def, 1);
	assert_int_equal(bind_f(w, true, false, &base).def, 1);
	assert_int_equal(bind_f(w, true, true, &base).def, -1);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(runpath_hides_rpath, setup, teardown),
		cmocka_unit_test_setup_teardown(search_path_before_system_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(rpath_of_the_loading_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(dlopen_uses_the_callers_rpath, setup, teardown),
		cmocka_unit_test_setup_teardown(dlopen_uses_the_executables_rpath, setup, teardown),
		cmocka_unit_test_setup_teardown(nodeflib_skips_system_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(cache_before_system_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(find_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(other_class_is_passed_over, setup, teardown),
		cmocka_unit_test_setup_teardown(dynamic_string_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_token_entry_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(soname_and_inode_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(breadth_first_global_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(check_match_versions, setup, teardown),
	};

	return cmocka_run_group_tests_name("ldso", tests, NULL, NULL);
}
