/* Writing files that other people and programs rely on: whole or not at
 * all, never through a link or over a device, keeping what they were. */
#ifndef PLUGKIT_FILEOUT_H
#define PLUGKIT_FILEOUT_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes data into a new file beside path ("PATH.plugkit-PID-XXXXXX", its
 * name left in tmp) with mode's permission bits, synced to disk.  Until
 * temporary_done(), a SIGINT, SIGTERM, SIGHUP or SIGQUIT stops the running
 * child (run_child) and removes the file before plugkit dies of the signal.
 * Returns 0, or -1 with errno set and nothing left behind.
 */
int write_beside(const char *path, const void *data, size_t len, mode_t mode, char *tmp,
		 size_t tmplen);

/* The temporary from write_beside was renamed or removed: signals no
 * longer remove it. */
void temporary_done(void);

/*
 * Temporaries beside path that a run killed outright (SIGKILL, a crash)
 * left: those whose process is gone are removed, each named on stderr after
 * prog; others (a run still going, or not ours to remove) are only named.
 */
void clean_stale_temporaries(const char *path, const char *prog);

/*
 * What path is when it exists and is not a regular file ("a symbolic
 * link", "a directory", ...): plugkit writes only regular files, and never
 * through a link.  NULL for a regular file or nothing at all.
 */
const char *not_regular(const char *path);

/*
 * Writes text to path whole or not at all: a temporary beside it, renamed
 * over it.  Creates missing parent directories.  Refuses (errno EEXIST) to
 * replace anything that is not a regular file.  Returns 0, or -1 with
 * errno set and nothing changed at path.
 */
int write_file_atomic(const char *path, const char *text, mode_t mode);

/*
 * Gives the file open as dst everything of src that is not its bytes:
 * its chattr flags (an immutable or append-only src is refused), owner and
 * group, then the mode (chown clears set-user-ID), every
 * extended attribute the caller can read (ACLs are system.posix_acl_*),
 * and security.capability last (chown clears that too); then reads it all
 * back.  Returns 0, or -1 with what could not be kept in err.
 */
int keep_properties(int src, int dst, char *err, size_t errlen);

#endif
