/*
 * The ELF reader on files made here: ELF32 and ELF64 in both byte orders,
 * then the same files broken every way the reader must survive (truncated
 * at every length, offsets and counts out of range, not ELF at all, not a
 * regular file).  Run under ASan+UBSan in CI.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
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

#include "elfread.h"
#include "test-image.h"

static char dir[] = "/tmp/plugkit-elfread-XXXXXX";

/*
 * A shared object with a PT_TLS of 4096 bytes, two DT_NEEDED, SONAME,
 * RUNPATH, DF_STATIC_TLS, and a DT_HASH'd symbol table defining malloc.
 */
static void build(struct image *im, bool is64, bool big)
{
	image_build(im, &(struct image_spec){
				.elf32 = !is64,
				.big = big,
				.needed = {"libfoo.so.1", "libc.so.6"},
				.soname = "libme.so.2",
				.runpath = "$ORIGIN/../lib",
				.flags = DF_STATIC_TLS,
				.tls_memsz = 4096,
				.syms = {{.name = "malloc"}},
			});
}

static const char *write_file(const char *name, const void *data, size_t size)
{
	return image_write(dir, name, data, size);
}

/* Parses and reads everything the checks read; returns elf_open's result. */
static int parse(const char *path, char *err, size_t errlen)
{
	struct elf_file elf;
	int rc = elf_open(path, &elf, err, errlen);

	if (rc != 0) {
		assert_non_null(strstr(err, path));
		return rc;
	}
	for (size_t i = 0; i < elf.n_needed; i++)
		assert_non_null(elf.needed[i]);
	for (size_t i = 0; i < elf.n_dynsym; i++) {
		struct elf_lookup it;

		assert_non_null(elf.dynsym[i].name);
		assert_true(elf_lookup_first(&elf, elf.dynsym[i].name, ELF_LOOKUP_ALL, &it) >= 0);
	}
	elf_close(&elf);
	return 0;
}

static void check_image(bool is64, bool big)
{
	struct image im;
	struct elf_file elf;
	char err[512];
	struct elf_lookup it;
	const char *path;

	build(&im, is64, big);
	path = write_file("good.so", im.buf, im.size);
	assert_int_equal(elf_open(path, &elf, err, sizeof(err)), 0);
	assert_int_equal(elf.is64, is64);
	assert_int_equal(elf.big_endian, big);
	assert_int_equal(elf.n_needed, 2);
	assert_string_equal(elf.needed[0], "libfoo.so.1");
	assert_string_equal(elf.needed[1], "libc.so.6");
	assert_string_equal(elf.soname, "libme.so.2");
	assert_string_equal(elf.runpath, "$ORIGIN/../lib");
	assert_null(elf.rpath);
	assert_true(elf.flags & DF_STATIC_TLS);
	assert_true(elf.has_tls);
	assert_int_equal(elf.tls_memsz, 4096);
	assert_false(elf.exec_stack);
	assert_int_equal(elf.n_dynsym, 2);
	assert_int_equal(elf.hash.kind, ELF_HASH_SYSV);
	assert_int_equal(elf_lookup_first(&elf, "malloc", ELF_LOOKUP_DEFINED, &it), 1);
	assert_int_equal(elf_lookup_next(&elf, &it), -1);
	assert_true(elf_sym_defined(&elf.dynsym[1]));
	assert_int_equal(elf.dynsym[1].type, STT_FUNC);
	assert_int_equal(elf_lookup_first(&elf, "free", ELF_LOOKUP_ALL, &it), -1);
	elf_close(&elf);
}

static void reads_elf64_little_endian(void **state)
{
	(void)state;
	check_image(true, false);
}
static void reads_elf64_big_endian(void **state)
{
	(void)state;
	check_image(true, true);
}
static void reads_elf32_little_endian(void **state)
{
	(void)state;
	check_image(false, false);
}
static void reads_elf32_big_endian(void **state)
{
	(void)state;
	check_image(false, true);
}

/* Every prefix of a good file: parsed or refused, never read past. */
static void survives_every_truncation(void **state)
{
	struct image im;
	char err[512];

	(void)state;
	for (int cls = 0; cls < 2; cls++) {
		build(&im, cls, false);
		for (size_t len = 1; len < im.size; len++) {
			const char *path = write_file("truncated.so", im.buf, len);

			/* Cut inside the headers or the dynamic section: refused. */
			if (len <= im.strtab_off)
				assert_int_equal(parse(path, err, sizeof(err)), -1);
			else
				parse(path, err, sizeof(err));
		}
	}
}

static void expect_refused(struct image *im, const char *what)
{
	char err[512];
	const char *path = write_file("broken.so", im->buf, im->size);

	assert_int_equal(parse(path, err, sizeof(err)), -1);
	print_message("%s\n", err);
	assert_non_null(strstr(err, what));
}

static void refuses_out_of_range_offsets(void **state)
{
	struct image im;

	(void)state;
	build(&im, true, false);
	image_put(&im, 32, 0x7fffffffffffff00ull, 8); /* e_phoff */
	expect_refused(&im, "program headers");

	build(&im, true, false);
	image_put(&im, im.phoff + 56 + 8, 0xfffffff0ull, 8); /* PT_DYNAMIC p_offset */
	expect_refused(&im, "PT_DYNAMIC");

	build(&im, true, false);
	image_put(&im, im.dynoff + 4 * 16 + 8, 0x100000, 8); /* DT_STRTAB address */
	expect_refused(&im, "DT_STRTAB");

	build(&im, true, false);
	image_put(&im, im.dynoff + 8, 0x7fff, 8); /* DT_NEEDED string */
	expect_refused(&im, "DT_NEEDED");
}

static void refuses_absurd_counts(void **state)
{
	struct image im;

	(void)state;
	build(&im, true, false);
	image_put(&im, 56, 0xfffe, 2); /* e_phnum */
	expect_refused(&im, "program headers");

	build(&im, true, false);
	image_put(&im, im.hash_off + 4, 0xffffffffu, 4); /* DT_HASH nchain */
	expect_refused(&im, "dynamic symbol");

	build(&im, false, true);
	image_put(&im, 44, 0xffff, 2); /* PN_XNUM */
	expect_refused(&im, "program headers");
}

/* ld.so maps a PT_LOAD whatever the file's size; touching the missing
 * pages kills the process with SIGBUS.  The reader refuses such a file. */
static void refuses_segments_past_the_end(void **state)
{
	struct image im;

	(void)state;
	build(&im, true, false);
	image_put(&im, im.phoff + 32, im.size + 4096, 8); /* PT_LOAD p_filesz */
	expect_refused(&im, "loadable segment 0");
}

/* A file that shrinks while it is read: a short read and an error, never
 * SIGBUS; what was read whole stays readable. */
static void survives_a_file_that_shrinks(void **state)
{
	struct image im;
	struct mapped m;
	struct elf_file elf;
	struct elf_lookup it;
	char err[512];
	const char *path;

	(void)state;
	build(&im, true, false);
	path = write_file("shrinks.so", im.buf, im.size);
	assert_int_equal(map_file_sparse(path, &m, err, sizeof(err)), 0);
	assert_int_equal(truncate(path, 16), 0);
	assert_false(map_range(&m, 0, 16));
	unmap_file(&m);

	path = write_file("shrinks.so", im.buf, im.size);
	assert_int_equal(elf_open(path, &elf, err, sizeof(err)), 0);
	assert_int_equal(truncate(path, 16), 0);
	assert_int_equal(elf_lookup_first(&elf, "malloc", ELF_LOOKUP_DEFINED, &it), 1);
	assert_string_equal(elf.soname, "libme.so.2");
	elf_close(&elf);
}

static void refuses_what_is_not_elf(void **state)
{
	static const char text[] = "#!/bin/sh\necho not a library\n";
	char err[512], path[300];
	struct elf_file elf;

	(void)state;
	assert_int_equal(elf_open(write_file("script.so", text, sizeof(text)), &elf, err,
				  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an ELF file"));
	assert_int_equal(elf_open(write_file("empty.so", "", 0), &elf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty file"));
	assert_int_equal(elf_open(write_file("short.so", ELFMAG "\2\1", 6), &elf, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "truncated ELF header"));
	assert_int_equal(elf_open(dir, &elf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a directory"));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* Opening a FIFO for reading would block without a writer. */
	assert_int_equal(elf_open(path, &elf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a FIFO"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/absent.so", dir);
	assert_int_equal(elf_open(path, &elf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(ENOENT)));
}

static int make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char path[300];
	static const char *const names[] = {"good.so",  "truncated.so", "broken.so",  "script.so",
					    "empty.so", "short.so",     "shrinks.so", NULL};

	(void)state;
	for (const char *const *n = names; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	return rmdir(dir);
}

/* --write-corpus DIR: the four good images, as seeds for the fuzzer. */
static int write_corpus(const char *out)
{
	for (int cls = 0; cls < 2; cls++)
		for (int big = 0; big < 2; big++) {
			struct image im;
			char path[4096];
			FILE *f;

			build(&im, cls, big);
			snprintf(path, sizeof(path), "%s/elf%d-%s.so", out, cls ? 64 : 32,
				 big ? "be" : "le");
			f = fopen(path, "wb");
			if (!f || fwrite(im.buf, 1, im.size, f) != im.size || fclose(f) != 0) {
				perror(path);
				return 1;
			}
		}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_elf64_little_endian),
		cmocka_unit_test(reads_elf64_big_endian),
		cmocka_unit_test(reads_elf32_little_endian),
		cmocka_unit_test(reads_elf32_big_endian),
		cmocka_unit_test(survives_every_truncation),
		cmocka_unit_test(refuses_out_of_range_offsets),
		cmocka_unit_test(refuses_absurd_counts),
		cmocka_unit_test(refuses_segments_past_the_end),
		cmocka_unit_test(survives_a_file_that_shrinks),
		cmocka_unit_test(refuses_what_is_not_elf),
	};

	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);
	return cmocka_run_group_tests_name("elfread", tests, make_dir, remove_dir);
}
