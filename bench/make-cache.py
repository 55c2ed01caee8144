#!/usr/bin/env python3
"""make-cache.py IN OUT N: a copy of the ld.so.cache IN (new format,
"glibc-ld.so.cache1.1") with N made-up entries added, sorted as ldconfig
sorts (glibc's _dl_cache_libcmp, descending), so that `plugkit check` can be
measured against a cache of a big system.  The made-up entries name files
that do not exist; lookups of real libraries still find the real ones."""
import functools
import struct
import sys

HEADER = 48
ENTRY = 24


def libcmp(p1, p2):
    """glibc's _dl_cache_libcmp on bytes."""
    i = j = 0
    while i < len(p1):
        c1 = p1[i]
        c2 = p2[j] if j < len(p2) else 0
        if 48 <= c1 <= 57:
            if not 48 <= c2 <= 57:
                return 1
            v1 = v2 = 0
            while i < len(p1) and 48 <= p1[i] <= 57:
                v1 = v1 * 10 + p1[i] - 48
                i += 1
            while j < len(p2) and 48 <= p2[j] <= 57:
                v2 = v2 * 10 + p2[j] - 48
                j += 1
            if v1 != v2:
                return v1 - v2
        elif 48 <= c2 <= 57:
            return -1
        elif c1 != c2:
            return c1 - c2
        else:
            i += 1
            j += 1
    return -(p2[j] if j < len(p2) else 0)


def main():
    src, dst, extra = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(src, 'rb').read()
    if not data.startswith(b'glibc-ld.so.cache1.1'):
        sys.exit('%s: not a new-format ld.so.cache' % src)
    nlibs = struct.unpack_from('<I', data, 20)[0]

    def string(off):
        return data[off:data.index(b'\0', off)]
    entries = []
    for i in range(nlibs):
        flags, key, value, osv, hwcap = struct.unpack_from('<iIIIQ', data, HEADER + ENTRY * i)
        entries.append((flags, string(key), string(value), osv, hwcap))
    flags = entries[0][0] if entries else 0x0303
    for i in range(extra):
        name = b'libbench%05d.so.1' % i
        entries.append((flags, name, b'/nonexistent/' + name, 0, 0))
    entries.sort(key=functools.cmp_to_key(lambda a, b: libcmp(b[1], a[1])))
    strings = bytearray()
    offsets = {}
    base = HEADER + ENTRY * len(entries)

    def intern(s):
        if s not in offsets:
            offsets[s] = base + len(strings)
            strings.extend(s + b'\0')
        return offsets[s]
    table = bytearray()
    for f, key, value, osv, hwcap in entries:
        table += struct.pack('<iIIIQ', f, intern(key), intern(value), osv, hwcap)
    header = bytearray(data[:HEADER])
    struct.pack_into("<II", header, 20, len(entries), len(strings))
    struct.pack_into("<I", header, 32, 0)  # no extension section (hwcaps) in the copy
    with open(dst, 'wb') as out:
        out.write(header + table + strings)


if __name__ == '__main__':
    main()
