#include "search.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynmem.h"

#ifndef PLUGKIT_DST_LIB
#define PLUGKIT_DST_LIB "lib"
#endif

/* glibc's trusted directories on Debian, in ld.so's order (ld.so --help). */
static const char *const trusted_dirs[] = {
	"/lib/" PLUGKIT_MULTIARCH, "/usr/lib/" PLUGKIT_MULTIARCH, "/lib", "/usr/lib", NULL,
};

static void note(char *searched, size_t slen, const char *what)
{
	size_t used = strlen(searched);

	if (used < slen)
		snprintf(searched + used, slen - used, "%s%s", used ? ":" : "", what);
}

/* open_verify: an ELF file of the requester's class and machine. */
static bool usable(const char *path, const struct search_request *req)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	bool ok;

	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     pread(fd, h, sizeof(h), 0) == sizeof(h) && memcmp(h, ELFMAG, SELFMAG) == 0 &&
	     (h[EI_CLASS] == ELFCLASS64) == req->is64;
	if (ok) {
		uint16_t machine = h[EI_DATA] == ELFDATA2MSB ? (uint16_t)(h[18] << 8 | h[19])
							     : (uint16_t)(h[19] << 8 | h[18]);

		ok = machine == req->machine;
	}
	close(fd);
	return ok;
}

static const char *platform(void)
{
	const char *p = (const char *)getauxval(AT_PLATFORM);

	return p ? p : "";
}

/* A token ends where a name could not go on: $ORIGINX is not $ORIGIN. */
static bool name_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * $ORIGIN, $LIB and $PLATFORM (or ${...}) replaced as ld.so replaces them;
 * false for any other token (ld.so drops such an entry) or an overlong
 * result.
 */
static bool expand(const char *entry, size_t n, const char *origin, char *out, size_t len)
{
	const struct {
		const char *name;
		const char *value;
	} dst[] = {{"ORIGIN", origin}, {"LIB", PLUGKIT_DST_LIB}, {"PLATFORM", platform()}};
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t k, tl = 0;
		bool brace;

		if (entry[i] != '$') {
			if (o + 1 >= len)
				return false;
			out[o++] = entry[i++];
			continue;
		}
		brace = i + 1 < n && entry[i + 1] == '{';
		for (k = 0; k < sizeof(dst) / sizeof(dst[0]); k++) {
			tl = strlen(dst[k].name);
			if (i + 1 + brace + tl + brace <= n &&
			    strncmp(entry + i + 1 + brace, dst[k].name, tl) == 0 &&
			    (brace ? entry[i + 1 + tl + 1] == '}'
				   : i + 1 + tl == n || !name_char(entry[i + 1 + tl])))
				break;
		}
		if (k == sizeof(dst) / sizeof(dst[0]) || o + strlen(dst[k].value) >= len)
			return false;
		memcpy(out + o, dst[k].value, strlen(dst[k].value));
		o += strlen(dst[k].value);
		i += 1 + tl + 2 * brace;
	}
	out[o] = '\0';
	return true;
}

static void origin_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else
		snprintf(out, len, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* Tries name in every entry of a ':'-separated list; an empty entry is
 * the current directory to ld.so. */
static bool try_list(const struct search_request *req, const char *list, const char *origin_path,
		     char *found, size_t len, char *searched, size_t slen)
{
	char origin[PATH_MAX], dir[PATH_MAX];

	origin_of(origin_path, origin, sizeof(origin));
	for (const char *s = list;;) {
		size_t n = strcspn(s, ":");

		if (expand(n ? s : ".", n ? n : 1, origin, dir, sizeof(dir))) {
			note(searched, slen, dir);
			if ((size_t)snprintf(found, len, "%s/%s", dir, req->name) < len &&
			    usable(found, req))
				return true;
		}
		if (!s[n])
			return false;
		s += n + 1;
	}
}

/*
 * ld.so.cache, new format ("glibc-ld.so.cache1.1"): a 48-byte header, then
 * nlibs 24-byte entries {flags, key, value, osversion, hwcap} whose key and
 * value are offsets from the start of the file.  Read, not mapped, so that
 * ldconfig rewriting it cannot fault this process; read again when it
 * changes.  Called under plugkit_open's lock.
 */
static struct {
	unsigned char *data;
	size_t size;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
} cache;

static void load_cache(void)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	struct stat st;
	int fd = open("/etc/ld.so.cache", O_RDONLY | O_CLOEXEC);
	unsigned char *data;

	if (fd < 0)
		goto none;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		goto none;
	}
	if (cache.data && st.st_dev == cache.dev && st.st_ino == cache.ino &&
	    st.st_mtim.tv_sec == cache.mtime.tv_sec && st.st_mtim.tv_nsec == cache.mtime.tv_nsec) {
		close(fd);
		return;
	}
	data = st.st_size >= 48 ? malloc((size_t)st.st_size + 1) : NULL;
	if (!data || pread(fd, data, (size_t)st.st_size, 0) != st.st_size ||
	    memcmp(data, magic, sizeof(magic) - 1) != 0) {
		free(data);
		close(fd);
		goto none;
	}
	close(fd);
	data[st.st_size] = '\0';
	free(cache.data);
	cache.data = data;
	cache.size = (size_t)st.st_size;
	cache.dev = st.st_dev;
	cache.ino = st.st_ino;
	cache.mtime = st.st_mtim;
	return;
none:
	/* No cache: ld.so falls through to the trusted directories. */
	free(cache.data);
	memset(&cache, 0, sizeof(cache));
}

static bool try_cache(const struct search_request *req, char *found, size_t len)
{
	uint32_t nlibs;

	load_cache();
	if (!cache.data)
		return false;
	memcpy(&nlibs, cache.data + 20, 4);
	if (nlibs > (cache.size - 48) / 24)
		return false;
	for (uint32_t i = 0; i < nlibs; i++) {
		const unsigned char *e = cache.data + 48 + (size_t)i * 24;
		uint32_t key, value;

		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		/* data[size] is a NUL: every string in range ends. */
		if (key >= cache.size || value >= cache.size ||
		    strcmp((const char *)cache.data + key, req->name) != 0)
			continue;
		if ((size_t)snprintf(found, len, "%s", (const char *)cache.data + value) < len &&
		    usable(found, req))
			return true;
	}
	return false;
}

bool search_needed(const struct search_request *req, char *found, size_t len, char *searched,
		   size_t slen)
{
	const struct search_origin *requester = &req->chain[0];
	const char *llp = getauxval(AT_SECURE) ? NULL : getenv("LD_LIBRARY_PATH");
	/* The program is first in ld.so's list and never unloaded. */
	const ElfW(Dyn) *main_dyn = _r_debug.r_map ? _r_debug.r_map->l_ld : NULL;
	uintptr_t main_base = _r_debug.r_map ? _r_debug.r_map->l_addr : 0;
	const char *main_rpath = dyn_string(main_base, main_dyn, DT_RPATH);
	char exe[PATH_MAX];
	ssize_t n;

	searched[0] = '\0';
	if (strchr(req->name, '/')) {
		char origin[PATH_MAX];

		origin_of(requester->path, origin, sizeof(origin));
		note(searched, slen, "(the path itself)");
		return expand(req->name, strlen(req->name), origin, found, len) &&
		       usable(found, req);
	}
	/* The program's $ORIGIN, for its DT_RPATH and LD_LIBRARY_PATH. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (!requester->runpath) {
		for (size_t i = 0; i < req->n_chain; i++)
			if (req->chain[i].rpath &&
			    try_list(req, req->chain[i].rpath, req->chain[i].path, found, len,
				     searched, slen))
				return true;
		if (main_rpath && try_list(req, main_rpath, exe, found, len, searched, slen))
			return true;
	}
	if (llp && *llp && try_list(req, llp, exe, found, len, searched, slen))
		return true;
	if (requester->runpath &&
	    try_list(req, requester->runpath, requester->path, found, len, searched, slen))
		return true;
	if (requester->flags_1 & DF_1_NODEFLIB)
		return false;
	note(searched, slen, "/etc/ld.so.cache");
	if (try_cache(req, found, len))
		return true;
	for (const char *const *d = trusted_dirs; *d; d++) {
		note(searched, slen, *d);
		if ((size_t)snprintf(found, len, "%s/%s", *d, req->name) < len &&
		    usable(found, req))
			return true;
	}
	return false;
}
