#include "rules.h"

#include <string.h>

const struct check plugkit_rules[RULE_COUNT] = {
	[RULE_SHIM] =
		{"shim", "the shim loads the host and defines no allocator",
		 "the executable is first in the global scope: an allocator symbol it exports beats the "
		 "host's, and a host it does not need directly may come after libc.so.6",
		 "build the shim from templates/shim/main.c with link_with: the host library and nothing else"},
	[RULE_ALLOCATOR_BINDING] =
		{"allocator-binding", "every allocator reference binds to one provider",
		 "ld.so binds each reference to the first definition in the global scope that check_match "
		 "accepts: a named version (malloc@@HOST_1) does not satisfy libc's malloc@GLIBC_2.2.5, and "
		 "an allocator behind libc.so.6 in DT_NEEDED order is never reached; two providers mean a "
		 "block freed on the wrong heap",
		 "export the allocator unversioned (templates/host.map.in: one anonymous node) and link "
		 "the provider before libc (link_with the host in the shim)"},
	[RULE_PRIVATE_ALLOCATOR] =
		{"private-allocator", "no late-loaded object carries an allocator",
		 "a plugin that defines malloc or embeds an allocator (even hidden) runs a second heap: "
		 "memory it hands over is freed by the host's allocator, and the other way round",
		 "drop the plugin's allocator (jemalloc_pic.a, a Rust #[global_allocator], ...) and let "
		 "malloc bind to the host"},
	[RULE_STATIC_TLS] =
		{"static-tls", "what dlopen loads needs no new static TLS",
		 "a TPOFF relocation needs the TLS block of the module it binds to in the static TLS "
		 "block (DF_STATIC_TLS alone needs nothing: glibc never reads it); start-up placed its "
		 "own modules' blocks there already (libc's errno and a block the host defines cost "
		 "nothing), but a block loaded late must fit in glibc's spare static TLS, about " PLUGKIT_STR(
			 PLUGKIT_STATIC_TLS_SURPLUS) " bytes shared by every late-loaded object and spent for "
						     "good; when it runs out dlopen fails with \"cannot allocate memory in static TLS block\"",
		 "build plugins with plugkit's plugin flags (dependency('plugkit-plugin'): "
		 "-ftls-model=global-dynamic), drop tls_model(\"initial-exec\") or aim it at a block the "
		 "host defines (docs/tls.md), or load the dependency at start-up (DT_NEEDED of the "
		 "host); as a stop-gap, raise the spare bytes with "
		 "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=BYTES"},
	[RULE_TLSDESC] =
		{"tlsdesc", "no TLS descriptors where glibc mishandles them",
		 "before glibc 2.40 (BZ #31372) the TLS descriptor's slow path calls __tls_get_addr, "
		 "hence malloc, without saving the vector registers its caller keeps live: with an "
		 "interposed allocator that uses them (mimalloc, measured) thread-local reads come back "
		 "corrupted",
		 "build plugins with -mtls-dialect=gnu (plugkit's plugin flags choose it before glibc "
		 "2.40), or run on glibc 2.40 or later"},
	[RULE_ONE_HOST] =
		{"one-host", "the plugin binds to the host already loaded",
		 "a plugin reaches the host through DT_NEEDED (the host's SONAME), through the global "
		 "scope (an executable that exports its API, as perl and python3 do) or through a table "
		 "the host hands over; a host library without a SONAME cannot be named, so each plugin "
		 "would find its own copy",
		 "give the host library a SONAME (shared_library's soversion) and link plugins against "
		 "it, or let them take the API from the executable or a callback table"},
	[RULE_SECOND_HOST] =
		{"second-host", "the plugin loads no second copy of the host",
		 "ld.so loads a library with another SONAME, or one that defines the host's API again "
		 "(libpython beside a python executable that has the interpreter built in), as an object "
		 "of its own: a second host with its own globals, state and heap, half of whose "
		 "references bind into the first",
		 "build the plugin against the host that loads it: for an executable host (perl, "
		 "python3), do not link the interpreter library (no -lpython3.x or -lperl: the "
		 "executable provides the symbols); for a library host, the same major version"},
	[RULE_SEARCH_PATH] =
		{"search-path", "DT_RUNPATH entries are $ORIGIN-relative, existing and safe",
		 "ld.so tries every entry on every load: an empty entry is the current directory and a "
		 "relative one is read against it, a directory that does not exist (or is world-writable) "
		 "lets whoever creates it later plant libraries there, and an absolute entry pins the "
		 "install",
		 "set install_rpath to a $ORIGIN-relative path that exists once installed (templates), or "
		 "fix an installed file with plugkit rpath"},
	[RULE_NEEDED_RESOLVES] =
		{"needed-resolves", "every DT_NEEDED is found",
		 "ld.so searches DT_RPATH, DT_RUNPATH, ld.so.cache and the system directories; a name "
		 "found nowhere fails the load",
		 "install the library, or give the object a $ORIGIN-relative DT_RUNPATH that reaches it"},
	[RULE_UNDEFINED_SYMBOLS] =
		{"undefined-symbols", "every undefined symbol binds at RTLD_NOW",
		 "with RTLD_NOW, dlopen fails on the first strong undefined symbol nothing in scope "
		 "defines (with RTLD_LAZY, a function fails at its first call); Meson's shared_module "
		 "never links with --no-undefined",
		 "name the process that loads the plugin (--shim, --host: an interpreter executable "
		 "such as perl or python3 provides its API itself, and its extensions must not link "
		 "the interpreter library); otherwise link the plugin with -Wl,-z,defs "
		 "(plugkit_plugin_link_args) against the libraries that define the symbols"},
	[RULE_TEXTREL] =
		{"textrel", "no text relocations",
		 "text relocations make ld.so write to code pages, which hardened kernels refuse and which "
		 "unshares the pages",
		 "compile every object of the plugin with -fPIC"},
	[RULE_EXEC_STACK] =
		{"exec-stack", "no executable stack",
		 "glibc 2.36 silently makes every thread's stack executable when a dlopen'd object asks "
		 "for it (or lacks PT_GNU_STACK)",
		 "link with -Wl,-z,noexecstack and fix the assembly file that lacks .note.GNU-stack"},
	[RULE_WX_SEGMENT] =
		{"wx-segment", "no writable and executable segment",
		 "a segment both writable and executable is code an attacker can rewrite",
		 "drop -Wl,-z,execstack, -N or a linker script that merges text and data"},
	[RULE_EXPORTS] =
		{"exports", "the plugin exports its entry points and little else",
		 "every exported symbol can interpose or be interposed, and is ABI",
		 "build with gnu_symbol_visibility: 'hidden' and mark only the entry points "
		 "__attribute__((visibility(\"default\"))); name them with --entry"},
};

const struct check *rule_by_id(const char *id)
{
	for (int i = 0; i < RULE_COUNT; i++)
		if (strcmp(plugkit_rules[i].id, id) == 0)
			return &plugkit_rules[i];
	return NULL;
}
