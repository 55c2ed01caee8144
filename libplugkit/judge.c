#include "judge.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocator.h"
#include "elfread.h"
#include "live.h"
#include "refuse.h"
#include "rules.h"
#include "search.h"

/* The ELF header of the object libplugkit is linked into (GNU ld, gold
 * and lld define it): this process's class, byte order and machine. */
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

/*
 * What the rules need of one file, kept by file identity (device, inode,
 * size, modification time): a host that loads the same plugin again, or a
 * thousand plugins in turn, reads each file once.
 */
struct summary {
	struct summary *next;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	const char *soname, *rpath, *runpath;
	const char **needed;
	size_t n_needed;
	uint64_t flags_1;
	/* Bytes of static TLS it needs; with tls_bound, its whole TLS block,
	 * the most it can need, until the rule needs to know (its TPOFF
	 * relocations are read only then). */
	unsigned long long static_tls;
	bool tls_bound;
	const char *allocators; /* the allocator names it defines, or "" */
	/* As a plugin: what each new dependency it was judged with defines
	 * of its imports (second_host), so that neither file is read again. */
	struct imports *imports;
	char strings[];
};

/* The plugin's imports (allocator names aside) that dep defines and
 * exports: a fact of the two files, found once per pair. */
struct imports {
	struct imports *next;
	const struct summary *dep;
	size_t n;
	const char *names[];
};

#define SUMMARY_BUCKETS 1024
/* Past this many files the table is emptied and refilled: bounded memory
 * for a host that loads files without end. */
#define SUMMARY_MAX 4096

/* Summaries go all at once (trim_summaries), so they are carved one
 * after another from big chunks rather than allocated one by one; the
 * first chunk is static (below). */
#define CHUNK_BYTES (64u << 10)

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t *bytes;
};

/* A chunk's header, rounded up so that its bytes that follow it are
 * aligned for anything. */
#define CHUNK_HEAD                                                                \
	((sizeof(struct chunk) + sizeof(max_align_t) - 1) / sizeof(max_align_t) * \
	 sizeof(max_align_t))

#define PAGE 4096u

/*
 * What the first judgement of a process writes, together in .bss: the
 * table, the first chunk and the first 64 KiB of the copy (most plugins
 * fit).  No allocation (the host's allocator makes its first big blocks
 * slowly), and the pages are made present with one MADV_POPULATE_WRITE
 * each time more are needed (populate), where each would otherwise fault
 * in on its first touch: a trap per page, which a paravirtualized kernel
 * makes dear (the copy's pages alone took bench/open-bench's cold scenario
 * from about 1.4x to 1.3x dlopen's wall time on a paravirtualized machine,
 * at the same instructions).  Pages never needed stay untouched.
 */
static struct judge_memory {
	_Alignas(PAGE) struct summary *bucket[SUMMARY_BUCKETS];
	max_align_t first_chunk[PAGE / sizeof(max_align_t)];
	_Alignas(PAGE) unsigned char copy[64u << 10];
} mem;

static size_t populated; /* bytes of mem made present so far */

/* Makes the first `want` bytes of mem present.  A kernel without
 * MADV_POPULATE_WRITE (before 5.14) refuses it once, and the pages fault
 * in as they are touched. */
static void populate(size_t want)
{
#ifdef MADV_POPULATE_WRITE
	want = (want + PAGE - 1) / PAGE * PAGE;
	if (want > sizeof(mem))
		want = sizeof(mem);
	if (want <= populated)
		return;
	if (madvise((char *)&mem + populated, want - populated, MADV_POPULATE_WRITE) == 0)
		populated = want;
	else
		populated = sizeof(mem); /* no second try */
#else
	(void)want;
#endif
}

static struct chunk first_chunk = {.bytes = mem.first_chunk, .size = sizeof(mem.first_chunk)};

static struct {
	size_t n;
	struct chunk *chunks;
} summaries;

static void *carve(size_t n)
{
	struct chunk *c = summaries.chunks;
	void *at;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!c) {
		first_chunk.used = 0;
		summaries.chunks = c = &first_chunk;
	}
	if (c->size - c->used < n) {
		size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;

		if (!(c = malloc(CHUNK_HEAD + size)))
			return NULL;
		*c = (struct chunk){.next = summaries.chunks,
				    .size = size,
				    .bytes = (max_align_t *)((char *)c + CHUNK_HEAD)};
		summaries.chunks = c;
	}
	at = (char *)c->bytes + c->used;
	c->used += n;
	return at;
}

static size_t bucket_of(dev_t dev, ino_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) ^ dev) % SUMMARY_BUCKETS;
}

static struct summary *cached(const struct stat *st)
{
	for (struct summary *s = mem.bucket[bucket_of(st->st_dev, st->st_ino)]; s; s = s->next)
		if (s->dev == st->st_dev && s->ino == st->st_ino && s->size == st->st_size &&
		    s->mtime.tv_sec == st->st_mtim.tv_sec &&
		    s->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return s;
	return NULL;
}

/* Emptied only between judgements: a walk holds pointers into it. */
static void trim_summaries(void)
{
	if (summaries.n < SUMMARY_MAX)
		return;
	while (summaries.chunks) {
		struct chunk *next = summaries.chunks->next;

		if (summaries.chunks != &first_chunk)
			free(summaries.chunks);
		summaries.chunks = next;
	}
	memset(mem.bucket, 0, sizeof(mem.bucket));
	summaries.n = 0;
}

static void remember(struct summary *s)
{
	size_t b = bucket_of(s->dev, s->ino);

	s->next = mem.bucket[b];
	mem.bucket[b] = s;
	summaries.n++;
}

/*
 * A file of up to this size is read whole, with one pread, into a buffer
 * that is kept from one judgement to the next (under plugkit_open's lock):
 * an anonymous mapping made and unmapped for every file cost more than
 * the reading (each munmap flushes the TLB).  A bigger file is read a few
 * pages at a time, only where the judgement looks.
 */
#define READ_WHOLE_MAX (1u << 20)

static struct {
	unsigned char *bytes;
	size_t cap;
} copy = {mem.copy, sizeof(mem.copy)};

/* Where a file's bytes are: in the copy (the first have bytes), or still
 * to be read from fd. */
struct source {
	int fd;
	const unsigned char *bytes;
	size_t have;
};

static bool bytes_at(const struct source *src, void *to, size_t len, uint64_t off)
{
	if (off <= src->have && len <= src->have - off) {
		memcpy(to, src->bytes + off, len);
		return true;
	}
	return pread(src->fd, to, len, (off_t)off) == (ssize_t)len;
}

/* The len bytes at off where they lie in the copy (and are aligned for a
 * type of that alignment), else read into buf; NULL past the end. */
static const void *view(const struct source *src, void *buf, size_t len, uint64_t off, size_t align)
{
	if (off <= src->have && len <= src->have - off &&
	    (uintptr_t)(src->bytes + off) % align == 0)
		return src->bytes + off;
	return bytes_at(src, buf, len, off) ? buf : NULL;
}

/*
 * What ld.so's open_verify and _dl_map_segments would trip on: another
 * class, byte order or machine (a clean dlopen error, said here first),
 * and a PT_LOAD whose [p_offset, p_offset + p_filesz) runs past the end of
 * the file: ld.so maps it, and the first touch of a page past the end is a
 * SIGBUS inside dlopen.  NULL when the file is fit to map.
 */
static const char *unloadable(const struct source *src, off_t size)
{
	ElfW(Ehdr) eh_buf;
	const ElfW(Ehdr) *eh = view(src, &eh_buf, sizeof(eh_buf), 0, _Alignof(ElfW(Ehdr)));
	ElfW(Phdr) local[32], *buf = local;
	const ElfW(Phdr) * ph;
	size_t bytes;
	const char *why = NULL;

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return "not an ELF file (or shorter than its header)";
	if (eh->e_ident[EI_CLASS] != __ehdr_start.e_ident[EI_CLASS] ||
	    eh->e_ident[EI_DATA] != __ehdr_start.e_ident[EI_DATA] ||
	    eh->e_machine != __ehdr_start.e_machine || eh->e_type != ET_DYN)
		return "not a shared object of this process's class and machine";
	if (eh->e_phentsize != sizeof(*ph))
		return "program headers of an unexpected size";
	bytes = (size_t)eh->e_phnum * sizeof(*ph);
	if (eh->e_phnum > sizeof(local) / sizeof(local[0]) && !(buf = malloc(bytes)))
		return "out of memory";
	/* One read for the whole table, as ld.so reads it. */
	if (!(ph = view(src, buf, bytes, eh->e_phoff, _Alignof(ElfW(Phdr)))))
		why = "its program headers lie past the end of the file (truncated)";
	for (ElfW(Half) i = 0; !why && i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_offset > (ElfW(Off))size ||
						ph[i].p_filesz > (ElfW(Off))size - ph[i].p_offset))
			why = "a loadable segment lies past the end of the file (truncated or "
			      "corrupt): mapping it would fault";
	if (buf != local)
		free(buf);
	return why;
}

/* The file open as fd (st its fstat), read for the judgement: whole into
 * the copy when it is small, else sparsely by path (and then it must still
 * be the file fd is). */
static int read_judged(const char *path, int fd, const struct stat *st, struct elf_file *elf,
		       struct plugkit_error *error)
{
	struct source src = {.fd = fd};
	size_t size = (size_t)st->st_size;
	const char *why;

	if ((uint64_t)st->st_size <= READ_WHOLE_MAX) {
		if (size > copy.cap) {
			if (copy.bytes != mem.copy)
				free(copy.bytes);
			copy.cap = size;
			if (!(copy.bytes = malloc(copy.cap))) {
				copy.bytes = mem.copy;
				copy.cap = sizeof(mem.copy);
				return plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory",
						    path);
			}
		}
		if (copy.bytes == mem.copy)
			populate(offsetof(struct judge_memory, copy) + size);
		if (pread(fd, copy.bytes, size, 0) != (ssize_t)size)
			return plugkit_fail(error, PLUGKIT_ELOAD, "%s: changed while it was read",
					    path);
		src.bytes = copy.bytes;
		src.have = size;
	}
	if ((why = unloadable(&src, st->st_size)))
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s: %s", path, why);
	/* The reader's message goes straight into the error. */
	if (src.bytes ? elf_open_copy(path, copy.bytes, size, st->st_dev, st->st_ino, ELF_JUDGE,
				      elf, error->message, sizeof(error->message)) != 0
		      : elf_open_parts(path, ELF_JUDGE, elf, error->message,
				       sizeof(error->message)) != 0)
		return error->status = PLUGKIT_ELOAD;
	/* Replaced between the two reads: judged afresh next time. */
	if (elf->dev != st->st_dev || elf->ino != st->st_ino || elf->size != size) {
		elf_close(elf);
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s: changed while it was read", path);
	}
	return PLUGKIT_OK;
}

struct own_tpoff {
	const struct elf_file *elf;
	bool found;
};

/* Whether a TPOFF relocation reaches the file's own block: no symbol, or
 * one the file defines. */
static void note_own_tpoff(const struct elf_reloc *rel, void *arg)
{
	struct own_tpoff *o = arg;

	if (rel->tpoff && (!rel->sym || (rel->sym < o->elf->n_dynsym &&
					 elf_sym_defined(&o->elf->dynsym[rel->sym]))))
		o->found = true;
}

/* The static TLS a file asks of a late load: its own TLS block, when a
 * TPOFF relocation reaches it (glibc's CHECK_STATIC_TLS).  A TPOFF into
 * another module's block, libc's errno or a block the host defines, costs
 * nothing: start-up placed it.  DF_STATIC_TLS alone costs nothing either:
 * glibc never reads it. */
static unsigned long long static_tls_of(const struct elf_file *elf)
{
	struct own_tpoff o = {.elf = elf};

	if (!elf->has_tls || !elf->n_tpoff_relocs)
		return 0;
	elf_each_reloc(elf, note_own_tpoff, &o);
	return o.found ? elf->tls_memsz : 0;
}

static size_t room(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *keep(char **at, const char *s)
{
	char *copy = *at;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

static struct summary *summarize(struct elf_file *elf, const struct stat *st)
{
	char names[256];
	size_t len = 0;
	struct summary *s;
	char *at;

	allocator_defined_names(elf, names, sizeof(names));
	len = room(elf->soname) + room(elf->rpath) + room(elf->runpath) + room(names);
	for (size_t i = 0; i < elf->n_needed; i++)
		len += room(elf->needed[i]);
	/* The strings, then the DT_NEEDED pointers: one more pointer than
	 * needed covers the padding that aligns them. */
	s = carve(sizeof(*s) + len + (elf->n_needed + 1) * sizeof(char *));
	if (!s)
		return NULL;
	*s = (struct summary){.dev = st->st_dev,
			      .ino = st->st_ino,
			      .size = st->st_size,
			      .mtime = st->st_mtim,
			      .flags_1 = elf->flags_1,
			      .static_tls = elf->tls_memsz,
			      .tls_bound = elf->tls_memsz != 0,
			      .n_needed = elf->n_needed};
	at = s->strings;
	s->soname = keep(&at, elf->soname);
	s->rpath = keep(&at, elf->rpath);
	s->runpath = keep(&at, elf->runpath);
	s->allocators = keep(&at, names);
	s->needed = (const char **)(s->strings + len +
				    (-(uintptr_t)(s->strings + len) % sizeof(char *)));
	for (size_t i = 0; i < elf->n_needed; i++)
		s->needed[i] = keep(&at, elf->needed[i]);
	return s;
}

/* The summary of the file at path, read at most once per identity: a
 * file seen before costs one stat(). */
static struct summary *summary_of(const char *path, struct plugkit_error *error)
{
	struct elf_file elf;
	struct stat st;
	struct summary *s = NULL;
	int fd;

	populate(offsetof(struct judge_memory, copy)); /* the table and the first chunk */
	if (stat(path, &st) == 0 && (s = cached(&st)))
		return s;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		plugkit_fail(error, PLUGKIT_ELOAD, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
		plugkit_fail(error, PLUGKIT_ELOAD, "%s: not a regular file", path);
	else if (read_judged(path, fd, &st, &elf, error) == PLUGKIT_OK) {
		if (!(s = summarize(&elf, &st)))
			plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", path);
		else
			remember(s);
		elf_close(&elf);
	}
	close(fd);
	return s;
}

/* One object the dlopen would load that is not loaded yet. */
struct node {
	struct summary *s;
	char *path;            /* the name it is opened by: $ORIGIN is its directory */
	const char *load_name; /* the DT_NEEDED string that brings it in */
	int parent;
};

/* Most plugins bring in nothing but themselves: their walk needs no heap. */
#define WALK_LOCAL 8

struct walk {
	struct node *v;
	size_t n, cap;
	struct node local[WALK_LOCAL];
};

static bool in_walk(const struct walk *w, const char *name, dev_t dev, ino_t ino, bool by_file)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct summary *s = w->v[i].s;

		if (by_file ? s->dev == dev && s->ino == ino
			    : strcmp(w->v[i].path, name) == 0 ||
				      (w->v[i].load_name && strcmp(w->v[i].load_name, name) == 0) ||
				      (s->soname && strcmp(s->soname, name) == 0))
			return true;
	}
	return false;
}

static struct node *add_node(struct walk *w)
{
	if (!w->v) {
		w->v = w->local;
		w->cap = WALK_LOCAL;
	}
	if (w->n == w->cap) {
		struct node *grown = malloc(2 * w->cap * sizeof(*grown));

		if (!grown)
			return NULL;
		memcpy(grown, w->v, w->n * sizeof(*grown));
		if (w->v != w->local)
			free(w->v);
		w->v = grown;
		w->cap *= 2;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[w->n]));
	return &w->v[w->n++];
}

/* Finds requester i's DT_NEEDED name and adds what it finds to the walk,
 * unless it is loaded already; a refusal when nothing provides it. */
static enum plugkit_status resolve(struct walk *w, size_t i, const char *name, const char *plugin,
				   struct plugkit_error *error)
{
	struct search_origin chain[32];
	struct search_request req = {.name = name,
				     .chain = chain,
				     .is64 = __ehdr_start.e_ident[EI_CLASS] == ELFCLASS64,
				     .machine = __ehdr_start.e_machine};
	char found[PATH_MAX], searched[512];
	struct stat st;
	struct node *n;

	if (in_walk(w, name, 0, 0, false))
		return PLUGKIT_OK;
	/* Its DT_RPATH chain: the requester, then whoever loaded it. */
	for (int k = (int)i; k >= 0 && req.n_chain < sizeof(chain) / sizeof(chain[0]);
	     k = w->v[k].parent)
		chain[req.n_chain++] = (struct search_origin){.path = w->v[k].path,
							      .rpath = w->v[k].s->rpath,
							      .runpath = w->v[k].s->runpath,
							      .flags_1 = w->v[k].s->flags_1};
	if (!search_needed(&req, found, sizeof(found), searched, sizeof(searched)))
		return plugkit_refuse(error, PLUGKIT_ELOAD, RULE_NEEDED_RESOLVES,
				      "%s: refused before loading: %s needs %s, found nowhere "
				      "(searched %s)",
				      plugin, w->v[i].path, name, searched);
	/* A file already loaded under another name is used again, as ld.so
	 * uses it again. */
	if (stat(found, &st) != 0 || live_has_file(st.st_dev, st.st_ino) ||
	    in_walk(w, NULL, st.st_dev, st.st_ino, true))
		return PLUGKIT_OK;
	if (!(n = add_node(w)))
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", plugin);
	n->parent = (int)i;
	n->load_name = name;
	if (!(n->path = strdup(found)))
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", plugin);
	if (!(n->s = summary_of(found, error)))
		return error->status;
	return PLUGKIT_OK;
}

/* ---- the rules, on the objects the dlopen would add ---------------- */

/* The plugin's undefined symbols (allocator names aside: those are the
 * private-allocator rule's) that a new dependency defines. */
static size_t imports_defined_by(const struct elf_file *plugin, const struct elf_file *dep,
				 const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 1; i < plugin->n_dynsym && n < max; i++) {
		const struct elf_sym *ref = &plugin->dynsym[i];
		struct elf_lookup it;

		if (ref->shndx != SHN_UNDEF || allocator_is_symbol(ref->name) || !*ref->name)
			continue;
		for (long k = elf_lookup_first(dep, ref->name, ELF_LOOKUP_DEFINED, &it); k >= 0;
		     k = elf_lookup_next(dep, &it))
			if (elf_sym_defined(&dep->dynsym[k]) && dep->dynsym[k].bind != STB_LOCAL) {
				names[n++] = ref->name;
				break;
			}
	}
	return n;
}

/* The file of node i, read whole (ELF_ALL: its symbols and their hash
 * table), as long as it is still the file summarized. */
static enum plugkit_status open_again(const struct walk *w, size_t i, struct elf_file *elf,
				      struct plugkit_error *error)
{
	const struct summary *s = w->v[i].s;
	char err[256];

	if (elf_open_parts(w->v[i].path, ELF_ALL, elf, err, sizeof(err)) != 0)
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s", err);
	if (elf->dev != s->dev || elf->ino != s->ino || (off_t)elf->size != s->size) {
		elf_close(elf);
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s: changed while it was read",
				    w->v[i].path);
	}
	return PLUGKIT_OK;
}

/* What node i defines of the plugin's imports: kept with the plugin's
 * summary, or found by reading both files (the plugin's is opened at most
 * once per walk, into *pe) and kept. */
static const struct imports *imports_of(const struct walk *w, size_t i, struct elf_file *pe,
					bool *pe_open, struct plugkit_error *error)
{
	struct summary *plugin = w->v[0].s;
	const char *names[64];
	struct elf_file de;
	struct imports *im;
	size_t n;

	for (im = plugin->imports; im; im = im->next)
		if (im->dep == w->v[i].s)
			return im;
	if (!*pe_open && open_again(w, 0, pe, error) != PLUGKIT_OK)
		return NULL;
	*pe_open = true;
	if (open_again(w, i, &de, error) != PLUGKIT_OK)
		return NULL;
	n = imports_defined_by(pe, &de, names, sizeof(names) / sizeof(names[0]));
	/* The names point into the plugin's file, closed after this walk:
	 * kept as copies. */
	im = carve(sizeof(*im) + n * sizeof(char *));
	for (size_t k = 0; im && k < n; k++) {
		char *copy = carve(strlen(names[k]) + 1);

		if (!copy) {
			im = NULL;
			break;
		}
		im->names[k] = strcpy(copy, names[k]);
	}
	elf_close(&de);
	if (!im) {
		plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", w->v[0].path);
		return NULL;
	}
	im->dep = w->v[i].s;
	im->n = n;
	im->next = plugin->imports;
	plugin->imports = im;
	return im;
}

/*
 * A second host: a new object whose SONAME is already loaded (another copy
 * of it, found under another path), or one that defines what the plugin
 * imports from an object already loaded (the host's API, brought in a
 * second time with globals and a heap of its own).
 */
static enum plugkit_status second_host(const struct walk *w, const char *plugin,
				       struct plugkit_error *error)
{
	struct elf_file pe;
	bool pe_open = false;
	char where[PATH_MAX];
	const char *which = NULL;
	enum plugkit_status status = PLUGKIT_OK;

	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].s->soname && live_soname_owner(w->v[i].s->soname, where, sizeof(where)))
			return plugkit_refuse(
				error, PLUGKIT_ESECOND_HOST, RULE_ONE_HOST,
				"%s: refused before loading: %s is %s, already loaded "
				"from %s: a second copy",
				plugin, w->v[i].path, w->v[i].s->soname, where);
	for (size_t i = 1; i < w->n && status == PLUGKIT_OK; i++) {
		const struct imports *im = imports_of(w, i, &pe, &pe_open, error);

		if (!im)
			status = error->status;
		else if (im->n && live_defines_any(im->names, im->n, &which, where, sizeof(where)))
			status =
				plugkit_refuse(error, PLUGKIT_ESECOND_HOST, RULE_ONE_HOST,
					       "%s: refused before loading: it brings in %s, which "
					       "defines %s, already provided by %s: a second host",
					       plugin, w->v[i].path, which, where);
	}
	if (pe_open)
		elf_close(&pe);
	return status;
}

/* The static TLS that each object of the walk really needs, where only
 * the most it could need is known yet: its relocations read now (and kept
 * with its summary). */
static enum plugkit_status settle_static_tls(const struct walk *w, struct plugkit_error *error)
{
	for (size_t i = 0; i < w->n; i++) {
		struct summary *s = w->v[i].s;
		struct elf_file elf;

		if (!s->tls_bound)
			continue;
		if (open_again(w, i, &elf, error) != PLUGKIT_OK)
			return error->status;
		s->static_tls = static_tls_of(&elf);
		s->tls_bound = false;
		elf_close(&elf);
	}
	return PLUGKIT_OK;
}

static enum plugkit_status judge_rules(const struct walk *w, const char *plugin,
				       struct plugkit_error *error)
{
	unsigned long long tls = 0;
	const char *user = NULL;
	enum plugkit_status status = second_host(w, plugin, error);

	if (status != PLUGKIT_OK)
		return status;
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].s->allocators[0])
			return plugkit_refuse(
				error, PLUGKIT_EPRIVATE_ALLOCATOR, RULE_PRIVATE_ALLOCATOR,
				"%s: refused before loading: %s defines %s: a heap of "
				"its own",
				plugin, w->v[i].path, w->v[i].s->allocators);
	/* What each object can need at most: most closures fit whatever
	 * their relocations say. */
	for (size_t i = 0; i < w->n; i++)
		tls += w->v[i].s->static_tls;
	if (tls > PLUGKIT_STATIC_TLS_SURPLUS &&
	    (status = settle_static_tls(w, error)) != PLUGKIT_OK)
		return status;
	tls = 0;
	for (size_t i = 0; i < w->n; i++) {
		tls += w->v[i].s->static_tls;
		if (w->v[i].s->static_tls && !user)
			user = w->v[i].path;
	}
	if (tls > PLUGKIT_STATIC_TLS_SURPLUS)
		return plugkit_refuse(
			error, PLUGKIT_ESTATIC_TLS, RULE_STATIC_TLS,
			"%s: refused before loading: %s uses %llu bytes of thread-local "
			"storage in the initial-exec model (%llu in all it loads), more "
			"than the %d spare bytes of static TLS",
			plugin, user, w->v[0].s->static_tls ? w->v[0].s->static_tls : tls, tls,
			PLUGKIT_STATIC_TLS_SURPLUS);
	return PLUGKIT_OK;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 1; i < w->n; i++)
		free(w->v[i].path);
	if (w->v != w->local)
		free(w->v);
}

/* Node i's DT_NEEDED names that nothing loaded answers to, each found and
 * added to the walk. */
static enum plugkit_status resolve_needs(struct walk *w, size_t i, const char *plugin,
					 struct plugkit_error *error)
{
	const struct summary *s = w->v[i].s;
	size_t n = s->n_needed;
	bool local[16], *loaded = n <= 16 ? local : calloc(n, sizeof(bool));
	enum plugkit_status status = PLUGKIT_OK;

	if (!loaded)
		return plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", plugin);
	memset(loaded, 0, n * sizeof(bool));
	live_match_names(s->needed, n, loaded);
	for (size_t k = 0; k < n && status == PLUGKIT_OK; k++)
		if (!loaded[k])
			status = resolve(w, i, s->needed[k], plugin, error);
	if (loaded != local)
		free(loaded);
	return status;
}

/*
 * Whether an object is loaded under the name path already (its l_name or
 * its SONAME, as _dl_map_object matches a name before it opens any file):
 * then dlopen hands that object back, adds nothing and runs nothing new.
 */
static bool loaded_by_name(const char *path)
{
	bool loaded = false;

	live_match_names(&path, 1, &loaded);
	return loaded;
}

enum plugkit_status judge_before_dlopen(const char *path, struct closure *c,
					struct plugkit_error *error)
{
	/* Not zeroed whole: its nodes are, as add_node hands them out. */
	struct walk w;
	enum plugkit_status status = PLUGKIT_OK;
	bool already = false;
	char owner[2]; /* only whether there is one */

	w.v = NULL;
	w.n = w.cap = 0;
	memset(c, 0, sizeof(*c));
	trim_summaries();
	add_node(&w);
	w.v[0] = (struct node){.path = (char *)path, .parent = -1};
	if (!(w.v[0].s = summary_of(path, error))) {
		walk_free(&w);
		return error->status;
	}
	/* The file of an object already loaded, under another name: ld.so
	 * compares device and inode and hands that object back. */
	if (w.v[0].s->soname && live_soname_owner(w.v[0].s->soname, owner, sizeof(owner)))
		already = live_has_file(w.v[0].s->dev, w.v[0].s->ino);
	/* Breadth-first, as _dl_map_object_deps loads. */
	for (size_t i = 0; i < w.n && status == PLUGKIT_OK && !already; i++)
		status = resolve_needs(&w, i, path, error);
	if (status == PLUGKIT_OK && !already)
		status = judge_rules(&w, path, error);
	/*
	 * A plugin loaded already under its path is judged as if it were not
	 * (the judgement only reads), and the question is asked (one walk of
	 * everything loaded) only where its answer changes the outcome: a
	 * refusal becomes a pass, and nothing new is brought in.  A plugin
	 * that passes alone is opened either way.
	 */
	if (!already && (status != PLUGKIT_OK || w.n > 1) && loaded_by_name(path)) {
		already = true;
		status = error->status = PLUGKIT_OK;
		error->message[0] = '\0';
	}
	if (status == PLUGKIT_OK && !already && w.n > 1) {
		c->names = calloc(w.n - 1, sizeof(*c->names));
		for (size_t i = 1; c->names && i < w.n; i++)
			if ((c->names[c->n] = strdup(w.v[i].load_name)))
				c->n++;
		if (!c->names || c->n != w.n - 1)
			status = plugkit_fail(error, PLUGKIT_ELOAD, "%s: out of memory", path);
	}
	walk_free(&w);
	if (status != PLUGKIT_OK)
		closure_free(c);
	return status;
}

void closure_free(struct closure *c)
{
	if (!c->names) /* most plugins bring in nothing: no free(NULL) call */
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	memset(c, 0, sizeof(*c));
}
