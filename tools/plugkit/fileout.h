/* Writing files that other people and programs rely on: whole or not at
 * all, never through a link or over a device, keeping what they were. */
#ifndef PLUGKIT_FILEOUT_H
#define PLUGKIT_FILEOUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Where a file is, resolved by the kernel rather than by text: its
 * directory, open (O_PATH), and its name in it.  Everything plugkit writes
 * is written relative to that directory, so a directory or link swapped
 * while it runs cannot redirect the write.
 */
struct place {
	int dir;
	char name[NAME_MAX + 1];
};

/*
 * Opens path's directory the way open() would reach it (links and ".."
 * taken by the kernel, in that order).  With follow, a symbolic link as the
 * last component is followed, as often as it takes, to the place of the
 * file it names, and *linked says so.  Returns 0, or -1 with errno set
 * (EISDIR when path names a directory, "." or "..").
 */
int place_open(const char *path, bool follow, struct place *p, bool *linked);
void place_close(struct place *p);

/* Whether two stats are of one file (device and inode). */
bool same_file(const struct stat *a, const struct stat *b);

/* /proc/self/fd/FD: the name of what fd holds open.  The kernel reopens
 * that very file, not whatever a path names by now. */
void fd_name(int fd, char *out, size_t outlen);

/*
 * A new, private file in a place's directory: unnamed (O_TMPFILE) where the
 * file system allows, so a run killed outright leaves nothing behind; else
 * named "NAME.plugkit-PID-XXXXXX" (NAME cut to fit).  Until temp_close, a
 * SIGINT, SIGTERM, SIGHUP or SIGQUIT stops the running child (run_child)
 * and removes any name it has before plugkit dies of the signal.  fd is not closed on
 * exec: a child run_child starts reaches it as /proc/self/fd/FD.
 */
struct temp {
	int fd;
	char name[NAME_MAX + 1]; /* "" while it has none */
};
int temp_open(const struct place *p, mode_t mode, struct temp *t);

/* Writes len bytes of data to the temporary from its start. */
int temp_write(struct temp *t, const void *data, size_t len);

/*
 * Syncs the temporary and renames it over p's name.  With was, only when
 * the name still refers to that file (same device and inode: nothing
 * replaced it meanwhile; errno ESTALE if something did); without it, only
 * when the name is a regular file or nothing (EEXIST if not).  Returns 0,
 * or -1 with errno set and p's name as it was.
 */
int temp_install(const struct place *p, struct temp *t, const struct stat *was);

/* Removes the temporary's name unless it was installed, closes it, and
 * stops signals removing it. */
void temp_close(const struct place *p, struct temp *t);

/*
 * Temporaries in p's directory that a run killed outright (SIGKILL, a
 * crash) left beside p's name: those whose process is gone are removed,
 * each named on stderr after prog; others (a run still going, or not ours
 * to remove) are only named.
 */
void clean_stale_temporaries(const struct place *p, const char *prog);

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
