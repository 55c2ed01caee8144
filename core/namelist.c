#include "namelist.h"

#include <stdio.h>
#include <string.h>

void name_list_add(struct name_list *nl, const char *name)
{
	if (nl->n++ < NAME_LIST_MAX && nl->used < sizeof(nl->buf))
		nl->used += (size_t)snprintf(nl->buf + nl->used, sizeof(nl->buf) - nl->used, "%s%s",
					     nl->n > 1 ? ", " : "", name);
}

const char *name_list_more(const struct name_list *nl)
{
	return nl->n > NAME_LIST_MAX ? ", ..." : "";
}

bool name_in(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}
