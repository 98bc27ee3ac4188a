# Sourced by scripts/demo and scripts/test: makes .venv with the project installed.
# Usage: source scripts/bootstrap.sh EXTRAS   (EXTRAS: "app,server" for the demo, "dev" for tests)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Companion needs Python 3.11 or newer (found: $("$PY" --version 2>&1))." >&2
    exit 1
fi
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    if ! "$PY" -m venv "$ROOT/.venv"; then
        echo "Could not create a virtual environment. On Debian: sudo apt-get install python3-venv" >&2
        exit 1
    fi
fi
VENV_PY="$ROOT/.venv/bin/python"
STAMP="$ROOT/.venv/.installed-$1"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    "$VENV_PY" -m pip install --quiet --upgrade pip
    "$VENV_PY" -m pip install --quiet -e "$ROOT[$1]"
    touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
