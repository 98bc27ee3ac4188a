#!/usr/bin/env bash
# Builds the apsw-sqlite3mc wheel the way the mobile recipe does (mobile/recipes/
# apsw-sqlite3mc): the PyPI sdist, the recipe's patches, and a build WITHOUT NETWORK
# (`unshare -n` when root, else proxies pointed at nothing). Then installs that wheel in a
# fresh venv beside the project and runs the recipe's tests and the store suite on it
# (COMPANION_STORE_BINDING=sqlite3mc). A Linux wheel: it shows the patched sdist needs
# nothing from the network; cross-compiling for Android/iOS is mobile-forge's part.
#
# Usage: mobile/build_sqlite3mc_wheel.sh [--no-suite]
#   SQLITE3MC_WORK        work folder (default: build/sqlite3mc, rebuilt on every run)
#   SQLITE3MC_SDIST_CACHE where the sdist is kept (default: ~/.cache/companion-mobile);
#                         with the sdist there (right hash), nothing is downloaded at all
#   PYTHON                the Python to build for (default: python3)
# Network is used only to fetch the sdist (when not cached) and to install setuptools and
# the project's dependencies into the two venvs; never by the wheel build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RECIPE="$ROOT/mobile/recipes/apsw-sqlite3mc"
PY="${PYTHON:-python3}"
WORK="${SQLITE3MC_WORK:-$ROOT/build/sqlite3mc}"
CACHE="${SQLITE3MC_SDIST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/companion-mobile}"
RUN_SUITE=1
[ "${1:-}" = "--no-suite" ] && RUN_SUITE=0

# The sdist the recipe was made and checked against; a new version needs its hash here.
PINNED_VERSION="3.54.0.0"
PINNED_SHA256="60a021cd9f6c8f3e2aa6cb54e197cb344379d5eb9a688b7647a136fc24956db4"

say() { printf '== %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

VERSION="$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$RECIPE/meta.yaml")"
[ "$VERSION" = "$PINNED_VERSION" ] || die "meta.yaml has $VERSION; pin that sdist's sha256 here"
SDIST="$CACHE/apsw_sqlite3mc-$VERSION.tar.gz"

sha256_of() { "$PY" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

fetch_sdist() {
    # pip cannot fetch this sdist: `pip download` prepares metadata, and this sdist's
    # metadata step is exactly the download we are removing. So read the package index
    # pip uses (PEP 691 JSON, one project) and check the file against the pinned hash.
    mkdir -p "$CACHE"
    "$PY" - "$VERSION" "$SDIST" "$PINNED_SHA256" <<'EOF'
import hashlib, json, os, sys, urllib.request
version, target, pinned = sys.argv[1:]
index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
request = urllib.request.Request(
    f"{index}/apsw-sqlite3mc/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
)
with urllib.request.urlopen(request, timeout=60) as response:
    files = json.load(response)["files"]
name = f"apsw_sqlite3mc-{version}.tar.gz"
(entry,) = [f for f in files if f["filename"] == name]
with urllib.request.urlopen(entry["url"], timeout=120) as response:
    data = response.read()
digest = hashlib.sha256(data).hexdigest()
if digest != pinned or entry["hashes"].get("sha256") != pinned:
    sys.exit(f"{name}: sha256 {digest} is not the pinned {pinned}")
with open(target + ".part", "wb") as f:
    f.write(data)
os.replace(target + ".part", target)
print(f"fetched {name} ({len(data)} bytes, sha256 {digest})")
EOF
}

if [ -f "$SDIST" ] && [ "$(sha256_of "$SDIST")" = "$PINNED_SHA256" ]; then
    say "sdist from the cache: $SDIST"
else
    say "fetching the sdist (network)"
    fetch_sdist
fi

say "unpacking and patching in $WORK/src"
rm -rf "$WORK"
mkdir -p "$WORK/unpack" "$WORK/dist"
tar -xzf "$SDIST" -C "$WORK/unpack"
mv "$WORK/unpack/apsw_sqlite3mc-$VERSION" "$WORK/src"
rmdir "$WORK/unpack"
# the patches listed in meta.yaml, in order, as mobile-forge applies them
PATCHES="$(sed -n '/^patches:/,/^[^ ]/s/^  - \(.*\)$/\1/p' "$RECIPE/meta.yaml")"
[ -n "$PATCHES" ] || die "meta.yaml lists no patches"
for name in $PATCHES; do
    say "patch $name"
    (cd "$WORK/src" && patch -p1 --ignore-whitespace --quiet < "$RECIPE/patches/$name")
done

say "build venv with setuptools (network)"
"$PY" -m venv "$WORK/build-venv"
"$WORK/build-venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "setuptools>=77" wheel

offline() {
    if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        echo "(offline: unshare -n, a network namespace with no interfaces)"
        unshare -n -- "$@"
    else
        echo "(offline: not root or no unshare here; proxies pointed at a closed port)"
        env http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
            HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
            ALL_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY= "$@"
    fi
}

say "building the wheel with no network (log: $WORK/build.log)"
{
    offline "$WORK/build-venv/bin/python" - <<'EOF'
import urllib.request
try:
    urllib.request.urlopen("https://pypi.org/simple/", timeout=10)
except OSError as exc:
    print(f"network check: unreachable as it must be ({exc})")
else:
    raise SystemExit("network check: the build environment still reaches the network")
EOF
    start=$(date +%s)
    offline "$WORK/build-venv/bin/python" -m pip wheel --no-deps --no-build-isolation \
        --no-index --disable-pip-version-check -v -w "$WORK/dist" "$WORK/src"
    echo "wheel built in $(( $(date +%s) - start )) s"
} > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; die "the offline build failed"; }
grep -E "network check|offline:|SQLite: |wheel built in|Created wheel" "$WORK/build.log" || true
if grep -qE "Fetching https?://|Getting the SQLite" "$WORK/build.log"; then
    die "the build tried to download something (see $WORK/build.log)"
fi
WHEEL="$(ls "$WORK"/dist/apsw_sqlite3mc-"$VERSION"-*.whl)"
say "wheel: $WHEEL ($(du -k "$WHEEL" | cut -f1) KiB)"
"$PY" - "$WHEEL" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
folder = "apsw/sqlite_extra_binaries/"
extra = [n for n in names if n.startswith(folder) and n != folder + "README.md"]
assert not extra, f"host binaries in the wheel: {extra}"
assert any(n.startswith("apsw/__init__.") and n.endswith(".so") for n in names), names
print(f"wheel contents: {len(names)} files, the extension, no sqlite_extra binaries")
EOF

say "fresh venv with the project and this wheel (network for the project's dependencies)"
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check -e "$ROOT" \
    "pytest>=8" "pytest-asyncio>=0.23" "hypothesis>=6.100"
"$VPY" -m pip install --quiet --disable-pip-version-check --no-index --no-deps \
    --force-reinstall "$WHEEL"
"$VPY" - "$WHEEL" <<'EOF'
import json, sys
from importlib.metadata import distribution
import apsw
origin = json.loads(distribution("apsw-sqlite3mc").read_text("direct_url.json"))["url"]
assert origin.endswith(sys.argv[1].rsplit("/", 1)[1]), origin
(mc,) = apsw.Connection(":memory:").execute("SELECT sqlite3mc_version()").fetchone()
print(f"apsw {apsw.apsw_version()}, SQLite {apsw.sqlite_lib_version()}, {mc}, from {origin}")
EOF

if [ "$RUN_SUITE" = 1 ]; then
    say "recipe tests and the store suite on this wheel (COMPANION_STORE_BINDING=sqlite3mc)"
    cd "$ROOT"
    COMPANION_STORE_BINDING=sqlite3mc "$VPY" -m pytest -q -p no:cacheprovider -m "not slow" \
        "$RECIPE/tests" tests/store
fi
say "done"
