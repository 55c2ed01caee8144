#include "generate.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileout.h"
#include "subst.h"
#include "templates.h"
#include "xalloc.h"

static int write_out(const char *output, char *text)
{
	int rc = write_file_atomic(output, text, 0644);

	if (rc != 0)
		fprintf(stderr, "plugkit generate: %s: %s\n", output, strerror(errno));
	free(text);
	return rc == 0 ? 0 : 1;
}

/* What a version script may list: C or mangled names and ld's globs. */
static bool is_symbol_pattern(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_*?[]", *s))
			return false;
	return true;
}

int generate_version_script(const char *output, char *const *symbols, size_t n)
{
	size_t len = 1;
	char *list;

	for (size_t i = 0; i < n; i++) {
		if (!is_symbol_pattern(symbols[i])) {
			fprintf(stderr, "plugkit generate: '%s' is not a symbol name or pattern\n",
				symbols[i]);
			return 2;
		}
		len += strlen(symbols[i]) + 8;
	}
	list = xmalloc(len);
	list[0] = '\0';
	for (size_t i = 0; i < n; i++)
		sprintf(list + strlen(list), "%s    %s;", i ? "\n" : "", symbols[i]);
	const struct subst subs[] = {{"@SYMBOLS@", list}, {NULL, NULL}};
	char *text = expand(template_host_map, subs);

	free(list);
	return write_out(output, text);
}

int generate_shim(const char *output, const char *entry)
{
	static const char head[] = "#define PLUGKIT_HOST_ENTRY ";
	char *text;

	if (!is_identifier(entry)) {
		fprintf(stderr, "plugkit generate: '%s' is not a C identifier\n", entry);
		return 2;
	}
	text = xmalloc(sizeof(head) + strlen(entry) + 1 + strlen(template_shim));
	sprintf(text, "%s%s\n%s", head, entry, template_shim);
	return write_out(output, text);
}
