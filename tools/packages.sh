# Sourced by tools/demo and tools/test: make sure Debian packages are there.
# As root, installs what is missing with apt-get (printing the command);
# otherwise prints the exact apt-get line and fails.

# ensure_packages PACKAGE...
ensure_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]; then
			missing+=("$pkg")
		fi
	done
	((${#missing[@]})) || return 0
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "${0##*/}: missing packages: ${missing[*]}, and no apt-get to install them" >&2
		return 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "${0##*/}: missing packages; install them with:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
		return 1
	fi
	echo "+ apt-get update && apt-get install -y ${missing[*]}"
	apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# What building the project and its tests needs on Debian 12.
build_packages=(meson ninja-build gcc libc6-dev pkg-config binutils python3 libjemalloc-dev libmimalloc-dev
	libcmocka-dev patchelf)

# The test suite's extras: valgrind for the memcheck setup, clang and its
# libFuzzer runtime for the fuzz smoke run, clang-format for
# tools/format-check; g++, git and lld for the end-to-end tests (C++
# plugins, plugkit as a subproject fetched by git, plugins linked by lld);
# Debian's rustc and cargo for the Rust plugins and hosts (tests/rust);
# Perl's TAP::Parser for the output-format test; acl, attr and libcap2-bin
# (setfacl, setfattr, setcap) for plugkit rpath's tests of what a file keeps;
# GNU time for the complexity bombs' peak memory; python3-dev for the
# executable-host fixture; python3-yaml for reading TAP's YAML blocks in the
# output-format test; the AArch64 cross compilers for the AArch64
# forwarding-operator fixtures (tests/fixtures/forwarding-aarch64).
test_packages=(valgrind clang libclang-rt-14-dev clang-format g++ git lld rustc cargo perl acl attr
	libcap2-bin time python3-dev python3-yaml gcc-aarch64-linux-gnu g++-aarch64-linux-gnu)

# What bench/ needs beyond the build: callgrind, scanelf (pax-utils) as the
# peer of plugkit scan, GNU time for peak memory.
bench_packages=(valgrind pax-utils time)

# The field suite's plugin ecosystems (tests/field/field.py): each package
# brings plugins and the real command that loads them (pamtester for PAM,
# gst-inspect-1.0 from gstreamer1.0-tools, gio-querymodules from
# libglib2.0-bin, gdk-pixbuf-query-loaders, python3.11, perl, ruby with the
# json and nokogiri gems); getent, unshare and mount are in essential
# packages.
field_packages=(libpam-modules pamtester python3.11 python3-lxml python3-yaml perl libjson-xs-perl
	libdbi-perl libgdk-pixbuf-2.0-0 librsvg2-common gstreamer1.0-tools gstreamer1.0-plugins-base
	gstreamer1.0-plugins-good libglib2.0-bin glib-networking ruby ruby-json ruby-nokogiri)

# setup_build DIR [MESON_OPTION...]: configure DIR unless it already is,
# then apply the options (meson configure keeps earlier choices otherwise).
setup_build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@"
	fi
}
