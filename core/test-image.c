#include "test-image.h"

#include <elf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

void image_put(struct image *im, size_t off, uint64_t v, int bytes)
{
	assert_true(off + (size_t)bytes <= sizeof(im->buf));
	for (int i = 0; i < bytes; i++)
		im->buf[off + (im->big ? bytes - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* An address-sized field. */
static void put_word(struct image *im, size_t off, uint64_t v)
{
	image_put(im, off, v, im->is64 ? 8 : 4);
}

/* .dynstr, built as the strings are named. */
struct strings {
	char buf[512];
	size_t len;
};

static uint32_t add_string(struct strings *st, const char *s)
{
	size_t n = strlen(s) + 1, off = st->len;

	assert_true(off + n <= sizeof(st->buf));
	memcpy(st->buf + off, s, n);
	st->len += n;
	return (uint32_t)off;
}

/* The SysV ELF hash, which DT_VERDEF and DT_VERNEED carry. */
static uint32_t elf_hash(const char *name)
{
	uint32_t h = 0, g;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		h = (h << 4) + *s;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

struct dyn_entry {
	uint64_t tag, val;
};

static size_t align8(size_t off)
{
	return (off + 7) & ~(size_t)7;
}

void image_build(struct image *im, const struct image_spec *spec)
{
	bool is64 = !spec->elf32;
	size_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, dynent = is64 ? 16 : 8;
	size_t symsize = is64 ? 24 : 16;
	struct dyn_entry dyn[32];
	struct strings st = {.len = 1};
	uint32_t sym_name[IMAGE_MAX_SYMS], ver_name[IMAGE_MAX_VERSIONS],
		ver_file[IMAGE_MAX_VERSIONS];
	size_t ndyn = 0, nsyms = 0, ndef = 0, nneed = 0, nph = spec->tls_memsz ? 4 : 3;
	size_t symoff, versym_off = 0, verdef_off = 0, verneed_off = 0, off;
	uint32_t soname = 0, base_name;

	memset(im, 0, sizeof(*im));
	im->is64 = is64;
	im->big = spec->big;

	/* Strings and counts first: the dynamic section's size depends on them. */
	for (size_t i = 0; i < IMAGE_MAX_NEEDED && spec->needed[i]; i++)
		dyn[ndyn++].val = add_string(&st, spec->needed[i]);
	for (size_t i = 0; i < ndyn; i++)
		dyn[i].tag = DT_NEEDED;
	if (spec->soname) {
		soname = add_string(&st, spec->soname);
		dyn[ndyn++] = (struct dyn_entry){DT_SONAME, soname};
	}
	if (spec->rpath)
		dyn[ndyn++] = (struct dyn_entry){DT_RPATH, add_string(&st, spec->rpath)};
	if (spec->runpath)
		dyn[ndyn++] = (struct dyn_entry){DT_RUNPATH, add_string(&st, spec->runpath)};
	for (; nsyms < IMAGE_MAX_SYMS && spec->syms[nsyms].name; nsyms++)
		sym_name[nsyms] = add_string(&st, spec->syms[nsyms].name);
	for (size_t i = 0; i < IMAGE_MAX_VERSIONS && spec->versions[i].name; i++) {
		ver_name[i] = add_string(&st, spec->versions[i].name);
		ver_file[i] = spec->versions[i].file ? add_string(&st, spec->versions[i].file) : 0;
		if (spec->versions[i].file)
			nneed++;
		else
			ndef++;
	}
	/* The base version names the file itself. */
	base_name = soname ? soname : (ndef ? add_string(&st, "base") : 0);

	size_t ndyn_total = ndyn + 6 + (nneed || ndef ? 1 : 0) + (ndef ? 2 : 0) + (nneed ? 2 : 0) +
			    (spec->flags ? 1 : 0) + (spec->flags_1 ? 1 : 0);

	memcpy(im->buf, ELFMAG, SELFMAG);
	im->buf[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	im->buf[EI_DATA] = spec->big ? ELFDATA2MSB : ELFDATA2LSB;
	im->buf[EI_VERSION] = EV_CURRENT;
	image_put(im, 16, spec->type ? spec->type : ET_DYN, 2);
	image_put(im, 18, is64 ? EM_X86_64 : EM_386, 2);
	image_put(im, 20, EV_CURRENT, 4);
	im->phoff = ehsize;
	put_word(im, is64 ? 32 : 28, im->phoff);
	image_put(im, is64 ? 52 : 40, ehsize, 2);
	image_put(im, is64 ? 54 : 42, phentsize, 2);
	image_put(im, is64 ? 56 : 44, nph, 2);

	im->dynoff = im->phoff + nph * phentsize;
	im->strtab_off = im->dynoff + ndyn_total * dynent;
	symoff = align8(im->strtab_off + st.len);
	im->hash_off = symoff + (nsyms + 1) * symsize;
	off = im->hash_off + (2 + 1 + nsyms + 1) * 4;
	if (nneed || ndef) {
		versym_off = off;
		off = align8(versym_off + (nsyms + 1) * 2);
	}
	if (ndef) {
		verdef_off = off;
		off += (ndef + 1) * (20 + 8);
	}
	if (nneed) {
		verneed_off = off;
		off += nneed * (16 + 16);
	}
	im->size = off;
	assert_true(im->size <= sizeof(im->buf));
	memcpy(im->buf + im->strtab_off, st.buf, st.len);

	for (size_t i = 0; i < nsyms; i++) {
		const struct image_sym *s = &spec->syms[i];
		size_t o = symoff + (i + 1) * symsize;
		uint8_t info =
			ELF64_ST_INFO(s->bind ? s->bind : STB_GLOBAL, s->type ? s->type : STT_FUNC);
		uint16_t shndx = s->undefined ? SHN_UNDEF : 1;
		uint64_t value = s->undefined ? 0 : 0x100 + 0x10 * i;

		image_put(im, o, sym_name[i], 4);
		if (is64) {
			im->buf[o + 4] = info;
			image_put(im, o + 6, shndx, 2);
			image_put(im, o + 8, value, 8);
		} else {
			image_put(im, o + 4, value, 4);
			im->buf[o + 12] = info;
			image_put(im, o + 14, shndx, 2);
		}
		if (versym_off)
			image_put(im, versym_off + (i + 1) * 2, s->versym, 2);
	}
	/* DT_HASH: one bucket holding the last symbol, each chained to the one
	 * before: every name is found, as ld.so would need. */
	image_put(im, im->hash_off, 1, 4);
	image_put(im, im->hash_off + 4, nsyms + 1, 4);
	image_put(im, im->hash_off + 8, nsyms, 4);
	for (size_t i = 1; i <= nsyms; i++)
		image_put(im, im->hash_off + 12 + i * 4, i - 1, 4);

	if (ndef) {
		/* Elf_Verdef {version, flags, ndx, cnt, hash, aux, next} and one
		 * Elf_Verdaux {name, next} each; the base entry first. */
		size_t o = verdef_off, k = 0;

		for (size_t i = 0; i < IMAGE_MAX_VERSIONS && spec->versions[i].name; i++) {
			if (spec->versions[i].file)
				continue;
			if (k++ == 0) {
				image_put(im, o, 1, 2);
				image_put(im, o + 2, VER_FLG_BASE, 2);
				image_put(im, o + 4, 1, 2);
				image_put(im, o + 6, 1, 2);
				image_put(im, o + 8, elf_hash((const char *)st.buf + base_name), 4);
				image_put(im, o + 12, 20, 4);
				image_put(im, o + 16, 28, 4);
				image_put(im, o + 20, base_name, 4);
				o += 28;
			}
			image_put(im, o, 1, 2);
			image_put(im, o + 4, spec->versions[i].ndx, 2);
			image_put(im, o + 6, 1, 2);
			image_put(im, o + 8, elf_hash(spec->versions[i].name), 4);
			image_put(im, o + 12, 20, 4);
			image_put(im, o + 16, k == ndef ? 0 : 28, 4);
			image_put(im, o + 20, ver_name[i], 4);
			o += 28;
		}
	}
	if (nneed) {
		/* One Elf_Verneed {version, cnt, file, aux, next} per version,
		 * with its Elf_Vernaux {hash, flags, other, name, next}. */
		size_t o = verneed_off, k = 0;

		for (size_t i = 0; i < IMAGE_MAX_VERSIONS && spec->versions[i].name; i++) {
			if (!spec->versions[i].file)
				continue;
			image_put(im, o, 1, 2);
			image_put(im, o + 2, 1, 2);
			image_put(im, o + 4, ver_file[i], 4);
			image_put(im, o + 8, 16, 4);
			image_put(im, o + 12, ++k == nneed ? 0 : 32, 4);
			image_put(im, o + 16, elf_hash(spec->versions[i].name), 4);
			image_put(im, o + 22, spec->versions[i].ndx, 2);
			image_put(im, o + 24, ver_name[i], 4);
			o += 32;
		}
	}

	dyn[ndyn++] = (struct dyn_entry){DT_STRTAB, im->strtab_off};
	dyn[ndyn++] = (struct dyn_entry){DT_STRSZ, st.len};
	dyn[ndyn++] = (struct dyn_entry){DT_SYMTAB, symoff};
	dyn[ndyn++] = (struct dyn_entry){DT_SYMENT, symsize};
	dyn[ndyn++] = (struct dyn_entry){DT_HASH, im->hash_off};
	if (versym_off)
		dyn[ndyn++] = (struct dyn_entry){DT_VERSYM, versym_off};
	if (ndef) {
		dyn[ndyn++] = (struct dyn_entry){DT_VERDEF, verdef_off};
		dyn[ndyn++] = (struct dyn_entry){DT_VERDEFNUM, ndef + 1};
	}
	if (nneed) {
		dyn[ndyn++] = (struct dyn_entry){DT_VERNEED, verneed_off};
		dyn[ndyn++] = (struct dyn_entry){DT_VERNEEDNUM, nneed};
	}
	if (spec->flags)
		dyn[ndyn++] = (struct dyn_entry){DT_FLAGS, spec->flags};
	if (spec->flags_1)
		dyn[ndyn++] = (struct dyn_entry){DT_FLAGS_1, spec->flags_1};
	dyn[ndyn++] = (struct dyn_entry){DT_NULL, 0};
	assert_int_equal(ndyn, ndyn_total);
	for (size_t i = 0; i < ndyn; i++) {
		put_word(im, im->dynoff + i * dynent, dyn[i].tag);
		put_word(im, im->dynoff + i * dynent + dynent / 2, dyn[i].val);
	}

	/* Program headers: type, flags, offset (= address), filesz, memsz. */
	struct {
		uint32_t type, flags;
		uint64_t off, size, memsz;
	} ph[4] = {
		{PT_LOAD, PF_R | PF_X, 0, im->size, im->size},
		{PT_DYNAMIC, PF_R | PF_W, im->dynoff, ndyn * dynent, ndyn * dynent},
		{PT_GNU_STACK, PF_R | PF_W, 0, 0, 0},
		{PT_TLS, PF_R, 0, 0, spec->tls_memsz},
	};
	for (size_t i = 0; i < nph; i++) {
		size_t p = im->phoff + i * phentsize;

		image_put(im, p, ph[i].type, 4);
		if (is64) {
			image_put(im, p + 4, ph[i].flags, 4);
			image_put(im, p + 8, ph[i].off, 8);
			image_put(im, p + 16, ph[i].off, 8);
			image_put(im, p + 32, ph[i].size, 8);
			image_put(im, p + 40, ph[i].memsz, 8);
		} else {
			image_put(im, p + 4, ph[i].off, 4);
			image_put(im, p + 8, ph[i].off, 4);
			image_put(im, p + 16, ph[i].size, 4);
			image_put(im, p + 20, ph[i].memsz, 4);
			image_put(im, p + 24, ph[i].flags, 4);
		}
	}
}

const char *image_write(const char *dir, const char *name, const void *data, size_t size)
{
	static char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	close(fd);
	return path;
}
