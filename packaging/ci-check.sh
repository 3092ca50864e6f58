#!/bin/sh
# The package's life on a gateway, as root on a machine without faultline: install, check, upgrade over
# a technician's config and a buffer with every kind of row, remove, purge. .ci/run calls it; so can you.
set -eu
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }
die() { printf 'ci-check: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: this check installs and purges the faultline package"
if dpkg-query -W -f='${Status}' faultline 2>/dev/null | grep -qv 'not-installed'; then
  die "faultline is installed here; this check would purge it and its data. Remove it first (dpkg -P faultline)"
fi
dpkg -s libjemalloc2 >/dev/null 2>&1 || die "the package depends on libjemalloc2, which dpkg -i does not fetch: apt-get install libjemalloc2"
for dir in /etc/faultline /var/lib/faultline; do
  [ ! -e "$dir" ] || die "$dir exists without the package; this check would delete it on purge. Move it aside first"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/faultline-ci.XXXXXX")
installed=no
cleanup() {
  if [ "$installed" = yes ]; then dpkg -P faultline >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# The faultline user reads the buffer script from here.
chmod 0755 "$work"
cp test/fixtures/buffer/buffer.mjs "$work/"
# From /: the checkout may sit where the faultline user cannot go.
as_faultline() { (cd / && runuser -u faultline -- "$@"); }
conf=/etc/faultline/faultline.yaml
db=/var/lib/faultline/faultline.db

base=$(node -p 'require("./package.json").version')
next=$base+ci1 # sorts after $base for dpkg
say "building faultline $base and $next"
npm run --silent build
deb1=$(FAULTLINE_DEB_OUT=$work sh packaging/build-deb.sh)
deb2=$(FAULTLINE_DEB_VERSION=$next FAULTLINE_DEB_OUT=$work sh packaging/build-deb.sh)
dpkg --compare-versions "$next" gt "$base" || die "$next does not sort after $base"

say "dpkg -i $(basename "$deb1")"
installed=yes
dpkg -i "$deb1" >"$work/install.log" 2>&1 || { cat "$work/install.log"; die "dpkg -i $deb1"; }
cat "$work/install.log"
grep -q 'systemctl enable --now faultline' "$work/install.log" || die "the install does not say how to enable the service"
[ ! -e /etc/systemd/system/multi-user.target.wants/faultline.service ] || die "the install enabled the service"
[ "$(faultline --version)" = "faultline $base" ] || die "faultline --version printed '$(faultline --version)'"
faultline check-config >/dev/null || die "faultline check-config (root) on the shipped config"
as_faultline faultline check-config >/dev/null || die "faultline check-config as the faultline user"
grep -q '^  path: /var/lib/faultline/faultline.db ' "$conf" || die "the shipped config does not keep the buffer in /var/lib/faultline"
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/faultline.service)
for path in $exec_start; do
  case $path in /*) [ -e "$path" ] || die "the unit's ExecStart names $path, which is not installed" ;; esac
done
[ ! -e /opt/faultline/node_modules/aedes ] || die "aedes is installed; it belongs to the demo only"
# Sparkplug encodes with the schema it finds at run time; a package without it fails only when enabled.
(cd /opt/faultline && node --input-type=module -e 'import("./dist/sparkplug/codec.js").then((m) => m.findProtoFile())') || die "the package has no sparkplug_b.proto"
if faultline demo --duration 1s >"$work/demo.log" 2>&1; then die "faultline demo ran without aedes"; fi
grep -q 'needs the development install' "$work/demo.log" || die "faultline demo without aedes: $(cat "$work/demo.log")"
[ "$(stat -c '%U:%G %a' /var/lib/faultline)" = 'faultline:faultline 700' ] || die "/var/lib/faultline is $(stat -c '%U:%G %a' /var/lib/faultline)"
[ "$(stat -c '%U:%G %a' "$conf")" = 'root:faultline 640' ] || die "$conf is $(stat -c '%U:%G %a' "$conf")"
echo "ok: installed $base, not enabled; --version, check-config, the unit's paths, no aedes"

say "a technician's edits and a buffer written by $base"
sed -i 's/^  id: gateway-01 /  id: press-shop-7 /' "$conf"
printf '# edited on site: press shop 7\n' >>"$conf"
faultline check-config | grep -q 'id: press-shop-7' || die "the edited config does not check"
edited=$(sha256sum "$conf")
as_faultline /usr/bin/node "$work/buffer.mjs" write /opt/faultline/dist "$db"

say "dpkg -i $(basename "$deb2") (upgrade)"
dpkg -i "$deb2" </dev/null >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; die "dpkg -i $deb2 over $base"; }
cat "$work/upgrade.log"
[ "$(faultline --version)" = "faultline $next" ] || die "after the upgrade, faultline --version printed '$(faultline --version)'"
[ "$(sha256sum "$conf")" = "$edited" ] || die "the upgrade changed the technician's $conf"
[ "$(stat -c '%U:%G %a' "$conf")" = 'root:faultline 640' ] || die "after the upgrade $conf is $(stat -c '%U:%G %a' "$conf")"
# Opening the buffer with the installed code migrates it, as the service does when it starts.
as_faultline /usr/bin/node "$work/buffer.mjs" check /opt/faultline/dist "$db" || die "rows of the $base buffer are missing after the upgrade"
as_faultline faultline status --json | grep -q '"outbox":3' || die "faultline status does not see the outbox"
echo "ok: upgraded to $next; the edited config and every row are there"

say "the upgraded agent starts and stops as the faultline user"
mkdir "$work/agent" && chown faultline:faultline "$work/agent"
: >"$work/agent.log"
# Its own buffer, no HTTP port: the check does not depend on the clock or on a free port 9464.
(cd / && exec setpriv --reuid=faultline --regid=faultline --init-groups env FAULTLINE_STORAGE__PATH="$work/agent/faultline.db" FAULTLINE_HTTP__LISTEN=off \
  /usr/bin/node /opt/faultline/dist/main.js run --config "$conf") >"$work/agent.log" 2>&1 &
agent=$!
tries=0
until grep -q '"msg":"agent started"' "$work/agent.log"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ] || ! kill -0 "$agent" 2>/dev/null; then cat "$work/agent.log"; die "the agent did not start within 20 s"; fi
  sleep 0.2
done
kill -TERM "$agent"
wait "$agent" || die "the agent did not stop cleanly: $(tail -3 "$work/agent.log")"
grep -q '"version":"'"$next"'"' "$work/agent.log" || die "the start-up log does not name version $next"
echo "ok: agent started and stopped (exit 0), logging version $next"

say "dpkg -r faultline"
dpkg -r faultline
for path in /opt/faultline /usr/bin/faultline /lib/systemd/system/faultline.service; do
  [ ! -e "$path" ] || die "dpkg -r left $path behind"
done
[ "$(sha256sum "$conf")" = "$edited" ] || die "dpkg -r removed or changed $conf"
[ -s "$db" ] || die "dpkg -r removed the buffer $db"
echo "ok: removed; the config and the buffer are kept"

say "dpkg -P faultline"
dpkg -P faultline
installed=no
for path in /etc/faultline /var/lib/faultline; do
  [ ! -e "$path" ] || die "dpkg -P left $path behind"
done
getent passwd faultline >/dev/null || die "dpkg -P removed the faultline user (Debian keeps system users)"
echo "ok: purged; /etc/faultline and /var/lib/faultline are gone, the faultline user stays"
