/* plugkit rpath: set an installed file's DT_RUNPATH to the $ORIGIN-relative
 * path of a library directory, with patchelf, safely. */
#ifndef PLUGKIT_RPATH_H
#define PLUGKIT_RPATH_H

#include <stdbool.h>

struct rpath_opts {
	const char *libdir;  /* where the file must reach, as installed */
	const char *destdir; /* staging root the files sit under, or NULL */
	bool dry_run;
	bool break_hardlinks; /* patch a file with other hard links anyway */
};

/* Fixes one file.  Returns 0 (fixed or already right), 1 when patching,
 * its verification or keeping the file's owner, mode and attributes failed
 * (the file is untouched), 2 on bad input. */
int rpath_fix(const struct rpath_opts *o, const char *file);

#endif
