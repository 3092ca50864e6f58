#!/bin/sh
# Builds build/faultline_<version>_<arch>.deb from this checkout's dist/ and node_modules (after npm ci;
# `npm run package` compiles first). FAULTLINE_DEB_VERSION overrides the version, e.g. for CI's second build.
# POSIX sh because the build is a row of file operations and Debian tools (npm, dpkg-deb, dpkg-shlibdeps).
set -eu
cd "$(dirname "$0")/.."

die() { echo "build-deb: $*" >&2; exit 1; }

version=${FAULTLINE_DEB_VERSION:-$(node -p 'require("./package.json").version')}
# Debian upstream-version characters, starting with a digit; no '-' (that would start a Debian revision).
echo "$version" | grep -Eq '^[0-9][0-9A-Za-z.+~]*$' || die "version \"$version\" is not a Debian version such as 0.1.1 or 0.1.1+ci1"
arch=$(dpkg --print-architecture)
maintainer=${FAULTLINE_DEB_MAINTAINER:-faultline maintainers <maintainers@faultline.invalid>}
out=${FAULTLINE_DEB_OUT:-build}
[ -f dist/main.js ] || die "dist/ is missing: run npm ci, or npm run package (which compiles)"
[ -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ] || die "node_modules is missing the built SQLite module: run npm ci"
command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps is missing: apt-get install dpkg-dev"
# The same date in every file of the package, so that one commit builds the same bytes.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

stage=$(mktemp -d "${TMPDIR:-/tmp}/faultline-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
root=$stage/debian/faultline # debian/<package>/ is where dpkg-shlibdeps expects the files
opt=$root/opt/faultline

# The code: dist/ without the compiler's leftovers (source maps point at src/, which is not shipped).
mkdir -p "$opt"
cp -R dist "$opt/dist"
find "$opt/dist" \( -name '*.map' -o -name '.tsbuildinfo' \) -delete
# The status page's files are served as they are (no build step); they sit beside the module that
# serves them, where src/http/static-files.ts looks first.
cp -R src/http/page "$opt/dist/http/page"
# Sparkplug's schema, read when the edge node starts (src/sparkplug/codec.ts looks beside the module).
cp src/sparkplug/sparkplug_b.proto "$opt/dist/sparkplug/"
cp README.md LICENSE "$opt/"
# package.json makes dist/ an ES module tree and gives `faultline --version` the package's version.
node -e 'const p = require("./package.json"); p.version = process.argv[1]; process.stdout.write(JSON.stringify(p, null, 2) + "\n")' "$version" >"$opt/package.json"

# Production node_modules: the packages `npm ls --omit=dev` names, copied from the tree npm ci built (so
# the SQLite module stays as it was compiled for this Node.js), then stripped of what building it needed.
npm ls --omit=dev --all --parseable | tail -n +2 | while IFS= read -r dir; do
  rel=${dir#"$PWD/"}
  # A nested package came along with the package it sits in.
  if [ ! -e "$opt/$rel" ]; then mkdir -p "$(dirname "$opt/$rel")" && cp -R "$dir" "$opt/$rel"; fi
done
[ ! -e "$opt/node_modules/aedes" ] || die "aedes is in the production tree; it must stay a devDependency"
sqlite=$opt/node_modules/better-sqlite3
rm -rf "$sqlite/deps" "$sqlite/src" "$sqlite/binding.gyp"
find "$sqlite/build" -mindepth 1 ! -path "$sqlite/build/Release" ! -path "$sqlite/build/Release/better_sqlite3.node" -prune -exec rm -rf {} +
if command -v strip >/dev/null; then strip --strip-unneeded "$sqlite/build/Release/better_sqlite3.node"; fi
# Dot files are the packages' own tooling (.bin links, CI, linters, .npmignore); Node never loads them.
find "$opt/node_modules" -name '.*' -prune -exec rm -rf {} +

# The command, the unit, the system user, the config (a conffile) and the docs.
install -D -m 0755 packaging/faultline "$root/usr/bin/faultline"
install -D -m 0644 systemd/faultline.service "$root/lib/systemd/system/faultline.service"
install -D -m 0644 systemd/faultline.sysusers "$root/usr/lib/sysusers.d/faultline.conf"
install -d -m 0750 "$root/etc/faultline"
sed 's|^  path: \./data/faultline\.db .*$|  path: /var/lib/faultline/faultline.db   # SQLite buffer, in the service'"'"'s state directory|' \
  config/faultline.yaml >"$root/etc/faultline/faultline.yaml"
grep -q '^  path: /var/lib/faultline/faultline.db ' "$root/etc/faultline/faultline.yaml" ||
  die "config/faultline.yaml has no storage.path line './data/faultline.db' to point at /var/lib/faultline"
doc=$root/usr/share/doc/faultline
install -D -m 0644 packaging/debian/copyright "$doc/copyright"
install -D -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/faultline"
{
  printf 'faultline (%s) unstable; urgency=medium\n\n' "$version"
  commit=$(git rev-parse --short HEAD 2>/dev/null || true)
  printf '  * Built from faultline %s%s.\n    The changes are in the project'"'"'s git history.\n\n' "$version" "${commit:+ (git $commit)}"
  printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Files root-owned (dpkg-deb --root-owner-group), readable, executable where they were; the config
# directory and file stay 0750/0640 (it may hold broker credentials; postinst gives them to the group).
chmod 0755 "$opt/dist/main.js"
chmod -R u=rwX,go=rX "$root"
chmod 0750 "$root/etc/faultline"
chmod 0640 "$root/etc/faultline/faultline.yaml"
chmod 0644 "$sqlite/build/Release/better_sqlite3.node" # a shared object is mapped, not executed

# Control files: the native module's libraries (dpkg-shlibdeps), and the Node.js major it was built
# for: better-sqlite3 uses the V8 API, not N-API, so it loads only in a Node.js of the same ABI.
# libjemalloc2: the unit preloads it (systemd/faultline.service says why).
mkdir -p "$root/DEBIAN"
printf 'Source: faultline\n\nPackage: faultline\nArchitecture: any\n' >"$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps --warnings=0 -O debian/faultline/opt/faultline/node_modules/better-sqlite3/build/Release/better_sqlite3.node | sed -n 's/^shlibs:Depends=//p')
major=$(node -p 'process.versions.node.split(".")[0]')
depends="nodejs (>= $major), nodejs (<< $((major + 1))), libjemalloc2${shlibs:+, $shlibs}"
installed_size=$(du -sk --apparent-size "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" packaging/debian/control.in >"$root/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$stage/md5sums"
install -m 0644 "$stage/md5sums" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/faultline_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
