#!/bin/sh
# TAP: every shell command of docs/rust.md, run in order in one shell, as a
# user would type them: plugkit installed, a host made by `plugkit new host
# myhost` and installed, then the page's ```sh blocks (a Rust plugin
# scaffolded, built offline by Cargo with the rustc given, tested through
# the host, checked, installed, loaded).
# usage: docs.sh PLUGKIT_SOURCE_ROOT RUSTC
set -u
src=$(cd "$1" && pwd)
# Meson may name the compiler by its name alone, as found on PATH.
rustc=$(command -v "$2")
cargo=$(dirname "$rustc")/cargo
if [ ! -x "$cargo" ]; then
	echo "1..0 # SKIP no cargo beside $rustc"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log
. "$(dirname "$0")/../lib.sh"

lib=lib/$(cc -print-multiarch)
# The rustc Meson found, and the cargo beside it (Debian's: /usr/bin).
export PATH="$work/pk/bin:$(dirname "$rustc"):$PATH" RUSTC="$rustc" CARGO_HOME="$work/cargo-home"
export PKG_CONFIG_PATH="$work/pk/share/pkgconfig:$work/pk/$lib/pkgconfig:$work/A/$lib/pkgconfig"
unset LD_LIBRARY_PATH

step "plugkit installs" sh -c "meson setup '$work/pk-build' '$src' --prefix='$work/pk' -Dtests=false &&
	meson install -C '$work/pk-build'"
[ "$failed" = 0 ] || finish
cd "$work"
step "plugkit new host myhost builds and installs" sh -c "plugkit new host myhost &&
	meson setup myhost/build myhost --prefix='$work/A' -Dtests=false && meson install -C myhost/build"
[ "$failed" = 0 ] || finish

# The ```sh blocks, in order, each command echoed.
awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' "$src/docs/rust.md" >"$work/commands.sh"
step "docs/rust.md: $(grep -c . "$work/commands.sh") command lines run" sh -exc ". '$work/commands.sh'"
finish
