/* A short list of names for a message: "a, b, c", at most NAME_LIST_MAX
 * of them, with the count kept of all. */
#ifndef PLUGKIT_NAMELIST_H
#define PLUGKIT_NAMELIST_H

#include <stdbool.h>
#include <stddef.h>

#define NAME_LIST_MAX 12

struct name_list {
	char buf[512];
	size_t used, n;
};

/* Whether name is in the NULL-ended list. */
bool name_in(const char *const *list, const char *name);

void name_list_add(struct name_list *nl, const char *name);

/* ", ..." when names were left out, else "". */
const char *name_list_more(const struct name_list *nl);

#endif
