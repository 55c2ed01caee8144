/* plugkit new: project skeletons for a host and for a plugin. */
#ifndef PLUGKIT_SCAFFOLD_H
#define PLUGKIT_SCAFFOLD_H

#include <stdbool.h>

struct scaffold_opts {
	const char *kind;       /* "host" or "plugin" */
	const char *name;
	const char *host;       /* plugin: the host's pkg-config name */
	const char *dir;        /* default ./NAME */
	const char *lang;       /* plugin: NULL (C) or "rust" */
	const char *plugkit_url;
	bool force, dry_run;
};

/* Writes the skeleton.  Returns 0, or 2 with nothing written when the name
 * is not a C identifier, the host is unknown or a file exists (no force). */
int scaffold(const struct scaffold_opts *o);

#endif
