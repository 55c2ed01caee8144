/*
 * test-rules DOCS: the rules table (core/rules.c) is whole, and
 * docs/checks.md says what it says.  Every rule has a "### ID" section in
 * DOCS whose text holds the rule's title, why and fix word for word
 * (Markdown's backquotes and line breaks aside), and every "### " heading
 * there is a rule: a rule changed here fails until the docs say the same.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"

static const char *docs_path;

static void ids_are_unique_and_found(void **state)
{
	(void)state;
	for (int i = 0; i < RULE_COUNT; i++) {
		const struct check *c = &plugkit_rules[i];

		assert_non_null(c->id);
		for (const char *s = c->id; *s; s++)
			assert_true(islower((unsigned char)*s) || *s == '-');
		assert_true(c->title && *c->title && c->why && *c->why && c->fix && *c->fix);
		assert_ptr_equal(rule_by_id(c->id), c);
	}
	assert_null(rule_by_id("no-such-check"));
	assert_null(rule_by_id(""));
}

/* Text as Markdown shows it: no backquotes, any run of white space one
 * space. */
static char *normalise(const char *text, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	assert_non_null(out);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '`')
			continue;
		if (isspace((unsigned char)text[i])) {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = text[i];
	}
	*o = '\0';
	return out;
}

static char *read_docs(void)
{
	FILE *f = fopen(docs_path, "r");
	char *text;
	long n;

	if (!f)
		fail_msg("%s: cannot open", docs_path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void docs_state_every_rule(void **state)
{
	char *docs = read_docs();

	(void)state;
	for (int i = 0; i < RULE_COUNT; i++) {
		const struct check *c = &plugkit_rules[i];
		const char *texts[] = {c->title, c->why, c->fix};
		char heading[64], *start, *end, *section;

		snprintf(heading, sizeof(heading), "\n### %s\n", c->id);
		start = strstr(docs, heading);
		if (!start)
			fail_msg("%s: no section \"### %s\"", docs_path, c->id);
		start += strlen(heading);
		end = strstr(start, "\n#");
		section = normalise(start, end ? (size_t)(end - start) : strlen(start));
		for (size_t k = 0; k < 3; k++) {
			char *want = normalise(texts[k], strlen(texts[k]));

			if (!strstr(section, want))
				fail_msg(
					"%s, section %s, does not say what core/rules.c does:\n  %s",
					docs_path, c->id, want);
			free(want);
		}
		free(section);
	}
	free(docs);
}

static void docs_have_no_other_check(void **state)
{
	char *docs = read_docs();

	(void)state;
	for (char *h = strstr(docs, "\n### "); h; h = strstr(h + 1, "\n### ")) {
		char id[64];

		assert_int_equal(sscanf(h, "\n### %63s", id), 1);
		if (!rule_by_id(id))
			fail_msg("%s: section \"### %s\" is no rule in core/rules.c", docs_path,
				 id);
	}
	free(docs);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_are_unique_and_found),
		cmocka_unit_test(docs_state_every_rule),
		cmocka_unit_test(docs_have_no_other_check),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s docs/checks.md\n", argv[0]);
		return 2;
	}
	docs_path = argv[1];
	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
