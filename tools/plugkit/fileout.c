#include "fileout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "report.h"
#include "spawn.h"

/* The temporary a signal must remove: its directory and name.  A signal
 * handler may only read them (unlinkat is async-signal-safe), so the name
 * is a fixed buffer. */
static char pending[NAME_MAX + 1];
static volatile sig_atomic_t pending_dir = -1;
static volatile sig_atomic_t armed;

static void on_signal(int sig)
{
	/* The child first: patchelf killed after the unlink would write the
	 * file again. */
	run_child_stop();
	if (armed && pending[0])
		unlinkat((int)pending_dir, pending, 0);
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

/* What the signal handler removes; called with every signal blocked, so
 * no signal sees a name without the handler knowing it. */
static void arm(int dir, const char *name)
{
	memcpy(pending, name, strlen(name) + 1);
	pending_dir = dir;
	armed = 1;
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

/* ld.so and open() follow at most 40 links in one name (MAXSYMLINKS). */
enum { MAX_LINKS = 40 };

int place_open(const char *path, bool follow, struct place *p, bool *linked)
{
	char buf[PATH_MAX];
	int at = AT_FDCWD, saved;

	p->dir = -1;
	if (linked)
		*linked = false;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int hops = 0;; hops++) {
		char *slash = strrchr(buf, '/');
		const char *base = slash ? slash + 1 : buf;
		struct stat st;
		ssize_t n;

		if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
			errno = EISDIR;
			goto fail;
		}
		if (strlen(base) > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(p->name, base, strlen(base) + 1);
		if (slash)
			*slash = '\0';
		/* A link's target is taken from the link's directory, as the
		 * kernel takes it; an absolute one ignores at. */
		p->dir = openat(at,
				!slash         ? "."
				: slash == buf ? "/"
					       : buf,
				O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (at != AT_FDCWD)
			close(at);
		at = AT_FDCWD;
		if (p->dir < 0)
			goto fail;
		if (!follow || fstatat(p->dir, p->name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISLNK(st.st_mode))
			return 0;
		if (hops == MAX_LINKS) {
			errno = ELOOP;
			goto fail;
		}
		n = readlinkat(p->dir, p->name, buf, sizeof(buf) - 1);
		if (n < 0 || n == (ssize_t)sizeof(buf) - 1) {
			errno = n < 0 ? errno : ENAMETOOLONG;
			goto fail;
		}
		buf[n] = '\0';
		if (linked)
			*linked = true;
		at = p->dir;
		p->dir = -1;
	}
fail:
	saved = errno;
	if (at != AT_FDCWD)
		close(at);
	place_close(p);
	errno = saved;
	return -1;
}

void place_close(struct place *p)
{
	if (p->dir >= 0)
		close(p->dir);
	p->dir = -1;
}

/*
 * "NAME.plugkit-" for a temporary beside p's name: NAME is cut so that
 * the pid and six letters still fit in NAME_MAX, since the longest name a
 * directory holds must be patchable too.
 */
enum { TEMP_TAIL = sizeof(".plugkit-") - 1 + 20 + 1 + 6 };
static void temp_prefix(const struct place *p, char *out)
{
	snprintf(out, NAME_MAX + 1, "%.*s.plugkit-", NAME_MAX - TEMP_TAIL, p->name);
}

/* "NAME.plugkit-PID-XXXXXX" with six random letters; the pid lets a
 * later run tell a SIGKILLed run's leftover from a temporary in use. */
static int temp_name(const struct place *p, char *out)
{
	static const char letters[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	size_t len;

	temp_prefix(p, out);
	len = strlen(out);
	len += (size_t)snprintf(out + len, NAME_MAX + 1 - len, "%ld-", (long)getpid());
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	for (size_t i = 0; i < sizeof(rnd); i++)
		out[len++] = letters[rnd[i] % (sizeof(letters) - 1)];
	out[len] = '\0';
	return 0;
}

bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

void fd_name(int fd, char *out, size_t outlen)
{
	snprintf(out, outlen, "/proc/self/fd/%d", fd);
}

/*
 * Makes the temporary under a fresh name in p's directory with create (-1
 * with errno set, EEXIST when the name is taken), its removal armed before
 * any signal can come between; a taken name is tried again, 100 times at
 * most.  Returns what create did.
 */
static int create_named(const struct place *p, struct temp *t,
			int (*create)(const struct place *p, struct temp *t))
{
	sigset_t all, old;
	int rc = -1;

	sigfillset(&all);
	for (int tries = 0; rc < 0 && tries < 100; tries++) {
		if (temp_name(p, t->name) != 0)
			break;
		sigprocmask(SIG_BLOCK, &all, &old);
		rc = create(p, t);
		if (rc >= 0)
			arm(p->dir, t->name);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (rc < 0 && errno != EEXIST)
			break;
	}
	if (rc < 0)
		t->name[0] = '\0';
	return rc;
}

/* An unnamed temporary linked under t->name. */
static int link_temp(const struct place *p, struct temp *t)
{
	char self[64];
	int rc;

	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
	rc = linkat(t->fd, "", p->dir, t->name, AT_EMPTY_PATH);
	if (rc != 0 && errno != EEXIST) {
		fd_name(t->fd, self, sizeof(self));
		rc = linkat(AT_FDCWD, self, p->dir, t->name, AT_SYMLINK_FOLLOW);
	}
	return rc;
}

/* A new file named t->name, where O_TMPFILE is not to be had. */
static int create_temp(const struct place *p, struct temp *t)
{
	return openat(p->dir, t->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
}

int temp_open(const struct place *p, mode_t mode, struct temp *t)
{
	int saved;

	t->name[0] = '\0';
	guard_signals();
	/* Not O_CLOEXEC: patchelf, run on it, reaches it through
	 * /proc/self/fd, never by a name someone else could swap. */
	t->fd = openat(p->dir, ".", O_TMPFILE | O_RDWR, 0600);
	if (t->fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -1;
	if (t->fd < 0 && (t->fd = create_named(p, t, create_temp)) < 0)
		return -1;
	if ((mode & 07777) != 0600 && fchmod(t->fd, mode & 07777) != 0) {
		saved = errno;
		temp_close(p, t);
		errno = saved;
		return -1;
	}
	return 0;
}

int temp_write(struct temp *t, const void *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(t->fd, (const char *)data + done, len - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return ftruncate(t->fd, (off_t)len);
}


/* The temporary's name is given up: installed, or removed. */
static void unname(struct temp *t)
{
	armed = 0;
	t->name[0] = '\0';
}

int temp_install(const struct place *p, struct temp *t, const struct stat *was)
{
	struct stat now;
	sigset_t all, old;
	int rc = -1;

	if (fsync(t->fd) != 0 || (!t->name[0] && create_named(p, t, link_temp) != 0))
		return -1;
	/*
	 * Exchanged, the name's file sits under the temporary's name, and is
	 * checked there after the fact: no window between the check and the
	 * rename.  Something else there is put back.  No signal meanwhile:
	 * the handler would remove whatever the temporary's name holds.
	 */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (was && renameat2(p->dir, t->name, p->dir, p->name, RENAME_EXCHANGE) == 0) {
		if (fstatat(p->dir, t->name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    same_file(&now, was)) {
			unlinkat(p->dir, t->name, 0);
			unname(t);
			rc = 0;
		} else {
			/* Not put back, it stays under the temporary's name,
			 * which is then not ours to remove. */
			if (renameat2(p->dir, t->name, p->dir, p->name, RENAME_EXCHANGE) != 0)
				unname(t);
			errno = ESTALE;
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* A file system without RENAME_EXCHANGE: check, then rename. */
	if (was && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	if (fstatat(p->dir, p->name, &now, AT_SYMLINK_NOFOLLOW) == 0
		    ? (was ? !same_file(&now, was) : !S_ISREG(now.st_mode))
		    : (was || errno != ENOENT)) {
		errno = was ? ESTALE : EEXIST;
		return -1;
	}
	if (renameat(p->dir, t->name, p->dir, p->name) != 0)
		return -1;
	unname(t);
	return 0;
}

void temp_close(const struct place *p, struct temp *t)
{
	if (t->name[0])
		unlinkat(p->dir, t->name, 0);
	unname(t);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

void clean_stale_temporaries(const struct place *p, const char *prog)
{
	char prefix[NAME_MAX + 1];
	int fd = openat(p->dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	temp_prefix(p, prefix);
	while ((e = readdir(d))) {
		char *end;
		struct stat st;
		long pid;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(e->d_name + strlen(prefix), &end, 10);
		if (fstatat(p->dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		fprintf(stderr, "%s: ", prog);
		if (*end == '-' && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH &&
		    S_ISREG(st.st_mode) && (st.st_uid == geteuid() || geteuid() == 0) &&
		    unlinkat(p->dir, e->d_name, 0) == 0) {
			fputs("removed ", stderr);
			print_text_safely(stderr, e->d_name);
			fprintf(stderr, ", left by an interrupted run (process %ld is gone)\n",
				pid);
		} else {
			fputs("note: ", stderr);
			print_text_safely(stderr, e->d_name);
			fputs(" is a temporary of another run, or not ours to remove; left alone\n",
			      stderr);
		}
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
	struct place p;
	struct temp t;
	int rc = -1, saved;

	if (mkdir_parents(path) != 0 || place_open(path, false, &p, NULL) != 0)
		return -1;
	if (temp_open(&p, mode, &t) == 0) {
		if (temp_write(&t, text, strlen(text)) == 0 && temp_install(&p, &t, NULL) == 0)
			rc = 0;
		saved = errno;
		temp_close(&p, &t);
		errno = saved;
	}
	saved = errno;
	place_close(&p);
	errno = saved;
	return rc;
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
