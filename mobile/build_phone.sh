#!/usr/bin/env bash
# Builds the phone app (the youth app) on a build machine with the Flutter SDK: the Android
# SDK for apk/aab, a Mac with Xcode for ipa. Not runnable on the project's development
# machines (no Flutter SDK there); docs/building.md says what was verified where.
#
# Usage: mobile/build_phone.sh apk|aab|ipa [extra flet build options]
#   PHONE_WHEELS  folder with the apsw-sqlite3mc wheels mobile-forge built for the phone
#                 (default: mobile/dist); pip finds them there (PIP_FIND_LINKS), the rest
#                 comes from PyPI and Flet's mobile package index as usual
#   DRY_RUN=1     print the commands instead of running them
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${1:-}"
shift || true
WHEELS="${PHONE_WHEELS:-$ROOT/mobile/dist}"
# the Python flet build bundles; requires-python (<3.14) picks the same, said here again so
# a newer flet-cli default cannot change it behind our back
PYTHON_VERSION="3.13"

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
run() {
    printf '+ %s\n' "$*"
    if [ "${DRY_RUN:-0}" != 1 ]; then "$@"; fi
}

case "$TARGET" in
    apk | aab | ipa) ;;
    *) die "usage: mobile/build_phone.sh apk|aab|ipa [flet build options]" ;;
esac
if [ "${DRY_RUN:-0}" != 1 ]; then
    compgen -G "$WHEELS/apsw_sqlite3mc-*.whl" >/dev/null \
        || die "no apsw-sqlite3mc phone wheel in $WHEELS (docs/building.md: build it first)"
    command -v flet >/dev/null || die "flet-cli is missing: pip install flet-cli==1.0.5"
fi
export PIP_FIND_LINKS="$WHEELS"
cd "$ROOT"

# 1. flet build: the Flutter project in build/flutter, the Python packages for the phone
#    (pyproject's [project].dependencies + [tool.flet.<platform>].dependencies)
run flet build "$TARGET" --python-version "$PYTHON_VERSION" --yes "$@"

if [ "$TARGET" != ipa ]; then
    # 2. Android only: flutter_local_notifications needs receivers (scheduled and boot) and
    #    Gradle desugaring, which [tool.flet.android] cannot express. flet-notifications
    #    ships the patcher; it is idempotent.
    run flet-notifications-patch --project-root build/flutter
    # 3. build again from the patched project, and put the result where flet build does
    task="assembleRelease"
    [ "$TARGET" = aab ] && task="bundleRelease"
    run bash -c "cd build/flutter/android && ./gradlew $task"
    run mkdir -p "build/$TARGET"
    if [ "$TARGET" = apk ]; then
        run cp -r build/flutter/build/app/outputs/apk/release/. "build/$TARGET/"
    else
        run cp -r build/flutter/build/app/outputs/bundle/release/. "build/$TARGET/"
    fi
fi
echo "built: build/$TARGET"
