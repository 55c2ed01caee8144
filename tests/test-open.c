/*
 * test-open NAME=PATH...: libplugkit's plugkit_open() on the fixtures, in a
 * process that has the example host (and its allocator) at start-up.  Each
 * broken plugin must be refused with its own status and a message that
 * says what is wrong; the good one must be accepted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <plugkit.h>

#include "examplehost.h"

static int n_args;
static char **args;

/* The absolute path given as NAME=PATH, or NULL. */
static const char *fixture(const char *name)
{
	static char path[PATH_MAX];
	size_t len = strlen(name);

	for (int i = 0; i < n_args; i++)
		if (strncmp(args[i], name, len) == 0 && args[i][len] == '=')
			return realpath(args[i] + len + 1, path) ? path : NULL;
	return NULL;
}

static void expect(const char *name, enum plugkit_status want, const char *needle)
{
	const char *path = fixture(name);
	struct plugkit_plugin plugin;
	struct plugkit_error error;
	enum plugkit_status got;

	if (!path) {
		print_message("%s: not built in this configuration\n", name);
		skip();
	}
	got = plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI, &plugin,
			   &error);
	print_message("%s: status %d: %s\n", name, got, error.message);
	assert_int_equal(got, want);
	assert_int_equal(error.status, want);
	if (needle)
		assert_non_null(strstr(error.message, needle));
	if (got == PLUGKIT_OK) {
		assert_non_null(plugin.handle);
		assert_string_equal(plugin.descriptor->name, "example");
		plugkit_close(&plugin);
	} else {
		assert_null(plugin.handle);
	}
}

static void accepts_the_example_plugin(void **state)
{
	(void)state;
	expect("example", PLUGKIT_OK, NULL);
}

static void refuses_a_relative_path(void **state)
{
	struct plugkit_plugin plugin;
	struct plugkit_error error;

	(void)state;
	assert_int_equal(plugkit_open("example.so", EXAMPLEHOST_PLUGIN_SYMBOL, 1, &plugin, &error),
			 PLUGKIT_EPATH);
	assert_non_null(strstr(error.message, "absolute path"));
}

static void reports_a_missing_file(void **state)
{
	struct plugkit_plugin plugin;
	struct plugkit_error error;

	(void)state;
	assert_int_equal(plugkit_open("/nonexistent/plugin.so", EXAMPLEHOST_PLUGIN_SYMBOL, 1,
				      &plugin, &error),
			 PLUGKIT_ELOAD);
	assert_non_null(strstr(error.message, "/nonexistent/plugin.so"));
}

static void refuses_a_plugin_without_descriptor(void **state)
{
	(void)state;
	expect("no-descriptor", PLUGKIT_EDESCRIPTOR, "exports no examplehost_plugin descriptor");
}

static void refuses_another_abi_with_both_versions(void **state)
{
	(void)state;
	expect("old-abi", PLUGKIT_EABI, "plugin ABI 99, host ABI 1");
}

static void refuses_a_private_allocator(void **state)
{
	(void)state;
	expect("private-malloc", PLUGKIT_EPRIVATE_ALLOCATOR, "a heap of its own");
}

static void refuses_static_tls_before_loading(void **state)
{
	(void)state;
	expect("tls64k-ie", PLUGKIT_ESTATIC_TLS, "65536 bytes of thread-local storage");
	expect("tls64k-ie", PLUGKIT_ESTATIC_TLS, "[static-tls]");
}

static void refuses_a_second_host_before_loading_it(void **state)
{
	(void)state;
	expect("second-host", PLUGKIT_ESECOND_HOST,
	       "libexamplehost.so.2, which defines examplehost_");
	/* Again, from what the first judgement kept of the two files. */
	expect("second-host", PLUGKIT_ESECOND_HOST,
	       "libexamplehost.so.2, which defines examplehost_");
}

static void refuses_an_unresolvable_need_before_loading(void **state)
{
	(void)state;
	expect("missing-need", PLUGKIT_ELOAD, "needs libpkmissing.so.1, found nowhere");
	expect("missing-need", PLUGKIT_ELOAD, "[needed-resolves]");
}

static void accepts_a_plugin_with_a_dependency_of_its_own(void **state)
{
	const char *path = fixture("with-helper");
	struct plugkit_plugin plugin;
	struct plugkit_error error;
	void *helper;

	(void)state;
	if (!path)
		skip();
	assert_int_equal(plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI,
				      &plugin, &error),
			 PLUGKIT_OK);
	assert_string_equal(plugin.descriptor->name, "with-helper");
	/* Its dlopen loaded the helper; closing the plugin unloads it. */
	helper = dlopen("libpkhelper.so.1", RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(helper);
	dlclose(helper);
	plugkit_close(&plugin);
	assert_null(dlopen("libpkhelper.so.1", RTLD_NOW | RTLD_NOLOAD));
}

/* The host library itself, by a path of its own: ld.so hands back the
 * copy already loaded (same device and inode), so nothing new would run
 * and nothing is refused before dlopen; it has no descriptor. */
static void passes_over_a_file_already_loaded(void **state)
{
	(void)state;
	expect("host", PLUGKIT_EDESCRIPTOR, "exports no examplehost_plugin descriptor");
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/*
 * A plugin still open, its path now naming a file that would be refused:
 * ld.so hands back the object loaded under that name without reading the
 * file, so nothing new runs and nothing is refused.  Once it is closed,
 * the new file is what a dlopen would load, and it is refused.
 */
static void passes_over_a_path_already_loaded(void **state)
{
	const char *example = fixture("example"), *bad;
	char dir[] = "/tmp/plugkit-test-open-XXXXXX", path[PATH_MAX], next[PATH_MAX];
	char example_path[PATH_MAX];
	struct plugkit_plugin first, again;
	struct plugkit_error error;

	(void)state;
	if (!example || !(example = strcpy(example_path, example)) ||
	    !(bad = fixture("private-malloc")))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/plugin.so", dir);
	snprintf(next, sizeof(next), "%s/next.so", dir);
	copy_file(example, path);
	assert_int_equal(plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI,
				      &first, &error),
			 PLUGKIT_OK);
	copy_file(bad, next);
	assert_int_equal(rename(next, path), 0);
	assert_int_equal(plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI,
				      &again, &error),
			 PLUGKIT_OK);
	assert_ptr_equal(again.handle, first.handle);
	assert_string_equal(again.descriptor->name, "example");
	assert_string_equal(error.message, "");
	plugkit_close(&again);
	plugkit_close(&first);
	assert_int_equal(plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI,
				      &again, &error),
			 PLUGKIT_EPRIVATE_ALLOCATOR);
	assert_non_null(strstr(error.message, "a heap of its own"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_the_example_plugin),
		cmocka_unit_test(refuses_a_relative_path),
		cmocka_unit_test(reports_a_missing_file),
		cmocka_unit_test(refuses_a_plugin_without_descriptor),
		cmocka_unit_test(refuses_another_abi_with_both_versions),
		cmocka_unit_test(refuses_a_private_allocator),
		cmocka_unit_test(refuses_static_tls_before_loading),
		cmocka_unit_test(refuses_a_second_host_before_loading_it),
		cmocka_unit_test(refuses_an_unresolvable_need_before_loading),
		cmocka_unit_test(accepts_a_plugin_with_a_dependency_of_its_own),
		cmocka_unit_test(passes_over_a_file_already_loaded),
		cmocka_unit_test(passes_over_a_path_already_loaded),
	};

	n_args = argc - 1;
	args = argv + 1;
	/* Calling into the host keeps it a DT_NEEDED of this program under
	 * --as-needed: loaded at start-up, as the shim loads it. */
	print_message("host allocator: %s\n", examplehost_allocator());
	return cmocka_run_group_tests_name("plugkit_open", tests, NULL, NULL);
}
