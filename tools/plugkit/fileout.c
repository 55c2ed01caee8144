#include "fileout.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "spawn.h"

/* The temporary a signal must remove; a signal handler may only read it
 * (unlink is async-signal-safe), so it is a fixed buffer. */
static char pending[PATH_MAX + 64];
static volatile sig_atomic_t armed;

static void on_signal(int sig)
{
	/* The child first: patchelf killed after the unlink would write the
	 * file again. */
	run_child_stop();
	if (armed)
		unlink(pending);
	/* SA_RESETHAND restored the default action: dying of the signal tells
	 * the caller what happened, as an exit status would not. */
	raise(sig);
}

static void guard_signals(void)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	static bool done;
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESETHAND};

	if (done)
		return;
	done = true;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction old;

		/* A signal the caller ignores (nohup) stays ignored. */
		if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(signals[i], &sa, NULL);
	}
}

void temporary_done(void)
{
	armed = 0;
}

static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int write_beside(const char *path, const void *data, size_t len, mode_t mode, char *tmp,
		 size_t tmplen)
{
	size_t done = 0;
	sigset_t all, old;
	int fd, saved;

	/* The pid in the name lets a later run tell a SIGKILLed run's leftover
	 * from a temporary still in use. */
	if ((size_t)snprintf(tmp, tmplen, "%s.plugkit-%ld-XXXXXX", path, (long)getpid()) >=
		    tmplen ||
	    strlen(tmp) >= sizeof(pending)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	guard_signals();
	/* No signal between creating the file and arming its removal. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fd = mkstemp(tmp);
	if (fd >= 0) {
		memcpy(pending, tmp, strlen(tmp) + 1);
		armed = 1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fchmod(fd, mode & 07777) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) == 0)
		return 0;
	fd = -1;
fail:
	saved = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	temporary_done();
	errno = saved;
	return -1;
}

void clean_stale_temporaries(const char *path, const char *prog)
{
	char dir[PATH_MAX], prefix[NAME_MAX + 16];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	snprintf(prefix, sizeof(prefix), "%s.plugkit-", base);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char name[PATH_MAX + NAME_MAX + 2], *end;
		struct stat st;
		long pid;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", dir, slash ? "" : "/", e->d_name);
		pid = strtol(e->d_name + strlen(prefix), &end, 10);
		if (lstat(name, &st) != 0)
			continue;
		if (*end == '-' && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH &&
		    S_ISREG(st.st_mode) && (st.st_uid == geteuid() || geteuid() == 0) &&
		    unlink(name) == 0)
			fprintf(stderr,
				"%s: removed %s, left by an interrupted run (process %ld is gone)\n",
				prog, name, pid);
		else
			fprintf(stderr,
				"%s: note: %s is a temporary of another run, or not ours to "
				"remove; left alone\n",
				prog, name);
	}
	closedir(d);
}

const char *not_regular(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
		return NULL;
	return S_ISLNK(st.st_mode)                          ? "a symbolic link"
	       : S_ISDIR(st.st_mode)                        ? "a directory"
	       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
	       : S_ISFIFO(st.st_mode)                       ? "a FIFO"
	       : S_ISSOCK(st.st_mode)                       ? "a socket"
							    : "not a regular file";
}

int write_file_atomic(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 32];
	int saved;

	if (not_regular(path)) {
		errno = EEXIST;
		return -1;
	}
	if (mkdir_parents(path) != 0 ||
	    write_beside(path, text, strlen(text), mode, tmp, sizeof(tmp)) != 0)
		return -1;
	if (rename(tmp, path) == 0) {
		temporary_done();
		return 0;
	}
	saved = errno;
	unlink(tmp);
	temporary_done();
	errno = saved;
	return -1;
}

/* ---- keep_properties ---- */

/* The '\0'-separated names of fd's extended attributes; a file system
 * without them has none. */
static ssize_t xattr_names(int fd, char **names)
{
	ssize_t n;

	*names = NULL;
	for (;;) {
		n = flistxattr(fd, NULL, 0);
		if (n < 0 && (errno == ENOTSUP || errno == ENOSYS))
			return 0;
		if (n <= 0)
			return n;
		if (!(*names = realloc(*names, (size_t)n)))
			return -1;
		n = flistxattr(fd, *names, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			return n;
	}
}

static ssize_t xattr_value(int fd, const char *name, char **value)
{
	ssize_t n;

	*value = NULL;
	for (;;) {
		n = fgetxattr(fd, name, NULL, 0);
		if (n < 0)
			return n;
		if (!(*value = realloc(*value, (size_t)n + 1)))
			return -1;
		n = fgetxattr(fd, name, *value, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			return n;
	}
}

static bool in_list(const char *names, ssize_t len, const char *name)
{
	for (const char *p = names; p < names + len; p += strlen(p) + 1)
		if (strcmp(p, name) == 0)
			return true;
	return false;
}

static int copy_xattr(int src, int dst, const char *name, char *err, size_t errlen)
{
	char *value;
	ssize_t n = xattr_value(src, name, &value);
	int rc = n >= 0 ? fsetxattr(dst, name, value, (size_t)n, 0) : -1;

	if (rc != 0)
		snprintf(err, errlen, "cannot keep its extended attribute %s: %s", name,
			 strerror(errno));
	free(value);
	return rc;
}

/* dst's attribute name holds what src's does. */
static bool same_xattr(int src, int dst, const char *name)
{
	char *a, *b;
	ssize_t na = xattr_value(src, name, &a), nb = xattr_value(dst, name, &b);
	bool same = na >= 0 && na == nb && memcmp(a, b, (size_t)na) == 0;

	free(a);
	free(b);
	return same;
}

/*
 * The inode flags chattr sets (nodump, noatime, sync, ...), which are not
 * extended attributes.  An immutable or append-only file cannot be renamed
 * over, so it is refused by name rather than by a bare EPERM.  A file
 * system without the flags has none to keep.
 */
static int keep_flags(int src, int dst, char *err, size_t errlen)
{
	int want, have;

	if (ioctl(src, FS_IOC_GETFLAGS, &want) != 0)
		return 0;
	if (want & (FS_IMMUTABLE_FL | FS_APPEND_FL)) {
		snprintf(err, errlen,
			 "it is immutable or append-only (chattr +i or +a): it cannot be "
			 "replaced");
		return -1;
	}
	want &= FS_FL_USER_MODIFIABLE;
	if (ioctl(dst, FS_IOC_GETFLAGS, &have) == 0 && (have & FS_FL_USER_MODIFIABLE) == want)
		return 0;
	have = (have & ~FS_FL_USER_MODIFIABLE) | want;
	if (ioctl(dst, FS_IOC_SETFLAGS, &have) != 0 || ioctl(dst, FS_IOC_GETFLAGS, &have) != 0 ||
	    (have & FS_FL_USER_MODIFIABLE) != want) {
		snprintf(err, errlen, "cannot keep its file flags (lsattr) %#x", (unsigned)want);
		return -1;
	}
	return 0;
}

static const char capability[] = "security.capability";

int keep_properties(int src, int dst, char *err, size_t errlen)
{
	struct stat s, d;
	char *names = NULL, *dnames = NULL;
	ssize_t n, dn;
	int rc = -1;

	if (fstat(src, &s) != 0 || fstat(dst, &d) != 0) {
		snprintf(err, errlen, "cannot read its properties: %s", strerror(errno));
		return -1;
	}
	if (keep_flags(src, dst, err, errlen) != 0)
		return -1;
	if ((s.st_uid != d.st_uid || s.st_gid != d.st_gid) &&
	    fchown(dst, s.st_uid, s.st_gid) != 0) {
		snprintf(err, errlen, "cannot keep its owner and group %u:%u (%s)",
			 (unsigned)s.st_uid, (unsigned)s.st_gid, strerror(errno));
		return -1;
	}
	n = xattr_names(src, &names);
	dn = xattr_names(dst, &dnames);
	if (n < 0 || dn < 0) {
		snprintf(err, errlen, "cannot list its extended attributes: %s", strerror(errno));
		goto out;
	}
	/* A new file may have been given attributes the old one lacks (a
	 * directory's default ACL becomes its access ACL). */
	for (const char *p = dnames; p < dnames + dn; p += strlen(p) + 1)
		if (!in_list(names, n, p) && fremovexattr(dst, p) != 0) {
			snprintf(err, errlen,
				 "cannot drop the attribute %s a new file gets here: %s", p,
				 strerror(errno));
			goto out;
		}
	for (const char *p = names; p < names + n; p += strlen(p) + 1)
		if (strcmp(p, capability) != 0 && copy_xattr(src, dst, p, err, errlen) != 0)
			goto out;
	if (fchmod(dst, s.st_mode & 07777) != 0) {
		snprintf(err, errlen, "cannot keep its mode %04o: %s",
			 (unsigned)(s.st_mode & 07777), strerror(errno));
		goto out;
	}
	if (in_list(names, n, capability) && copy_xattr(src, dst, capability, err, errlen) != 0)
		goto out;

	/* Read back: the kernel drops set-group-ID and capabilities silently
	 * where the caller may not keep them. */
	free(dnames);
	dn = xattr_names(dst, &dnames);
	if (fstat(dst, &d) != 0 || dn < 0) {
		snprintf(err, errlen, "cannot read back its properties: %s", strerror(errno));
		goto out;
	}
	if (d.st_uid != s.st_uid || d.st_gid != s.st_gid ||
	    (d.st_mode & 07777) != (s.st_mode & 07777)) {
		snprintf(err, errlen,
			 "cannot keep its owner, group and mode %u:%u %04o (a new file "
			 "gets %u:%u %04o)",
			 (unsigned)s.st_uid, (unsigned)s.st_gid, (unsigned)(s.st_mode & 07777),
			 (unsigned)d.st_uid, (unsigned)d.st_gid, (unsigned)(d.st_mode & 07777));
		goto out;
	}
	for (const char *p = names; p < names + n; p += strlen(p) + 1)
		if (!same_xattr(src, dst, p)) {
			snprintf(err, errlen, "cannot keep its extended attribute %s", p);
			goto out;
		}
	for (const char *p = dnames; p < dnames + dn; p += strlen(p) + 1)
		if (!in_list(names, n, p)) {
			snprintf(err, errlen,
				 "a new file here gets the attribute %s, which it lacks", p);
			goto out;
		}
	rc = 0;
out:
	free(names);
	free(dnames);
	return rc;
}
