/* plugkit new: project skeletons for a host and for a plugin. */
#ifndef PLUGKIT_SCAFFOLD_H
#define PLUGKIT_SCAFFOLD_H

#include <stdbool.h>

struct scaffold_opts {
	const char *kind; /* "host" or "plugin" */
	const char *name;
	const char *host; /* plugin: the host's pkg-config name */
	const char *lang; /* "c", "cpp" or "rust" */
	const char *dir;  /* default ./NAME */
	/* The git URL and revision of the wrap a project gets (host: plugkit's,
	 * plugin: its host's); NULL, no wrap. */
	const char *wrap_url, *wrap_revision;
	bool force, dry_run;
};

/* Writes the skeleton whole or not at all.  Returns 0; 1 when writing
 * failed (nothing written); or 2 with nothing written when the name is not
 * a usable identifier, the host is unknown or a file exists (no force). */
int scaffold(const struct scaffold_opts *o);

#endif
