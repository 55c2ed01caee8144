#!/bin/sh
# make-corpus.sh BUILDDIR OUTDIR: the seeds of fuzz-check's corpus, from a
# build's example plugin, host and shim and a stand-in libc (libc.c: the
# allocator and a TLS variable, in glibc's version nodes), renamed to the
# names fuzz-check.c writes them under and stripped, so they stay small.
set -eu
build=$1 out=$2 here=$(cd "$(dirname "$0")" && pwd) S='@@PKIT@@'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -shared -fPIC -nostdlib -Wl,-soname,libc.so.6 -Wl,--version-script="$here/libc.map" \
	-Wl,-z,noseparate-code -o "$tmp/c" "$here/libc.c"
cp "$build/example-plugin/example.so" "$tmp/p"
cp "$build/example-host/libexamplehost.so.1.0.0" "$tmp/h"
cp "$build/example-host/example-host" "$tmp/s"
strip --strip-unneeded "$tmp/p" "$tmp/h" "$tmp/s" "$tmp/c"
for f in p s; do
	patchelf --replace-needed libexamplehost.so.1 libhost.so --remove-needed ld-linux-x86-64.so.2 \
		--set-rpath '$ORIGIN' "$tmp/$f"
done
patchelf --set-soname libhost.so "$tmp/h"
mkdir -p "$out"
waivers='exports plugin.so see bug #12
# a comment
search-path * reason with \377 and \033[31m in it'
{ cat "$tmp/p"; printf '%s' "$S"; printf '%s' "$S"; printf '%s' "$S"; printf '%s' "$S"; cat "$tmp/c"; } >"$out/plugin-libc"
{ cat "$tmp/p"; printf '%s' "$S"; cat "$tmp/h"; printf '%s' "$S"; printf '%s' "$S"; printf '%s' "$S"; cat "$tmp/c"; } >"$out/plugin-host-libc"
{ cat "$tmp/p"; printf '%s' "$S"; cat "$tmp/h"; printf '%s' "$S"; cat "$tmp/s"; printf '%s' "$S"; printf "$waivers"; printf '%s' "$S"; cat "$tmp/c"; } >"$out/all-five"
{ printf '%s' "$S"; cat "$tmp/h"; printf '%s' "$S"; cat "$tmp/s"; } >"$out/shim-host-no-libc"
