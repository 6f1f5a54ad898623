#!/usr/bin/env bash
# Build the one-folder app (dist/wbc-desktop/) from a clean venv with the CPU build of torch,
# run the frozen app's --self-test with an empty environment, and print the folder's size.
#
#   scripts/build_installer.sh                      # CPU build (the local/PyPI CPU wheel)
#   TORCH_INDEX=https://download.pytorch.org/whl/cu128 scripts/build_installer.sh   # a CUDA variant
#
# Environment: PYTHON (default python3), TORCH_SPEC (default torch==2.13.0), TORCH_INDEX (an
# index URL for a CUDA wheel), KEEP_VENV=1 to keep the build venv, NICE (default 10).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
NICE="${NICE:-10}"
VENV="$(mktemp -d /tmp/wbc-build-venv.XXXXXX)"
cleanup() { if [ "${KEEP_VENV:-0}" != 1 ]; then rm -rf "$VENV"; else echo "venv kept: $VENV"; fi; }
trap cleanup EXIT

step() { echo; echo "== $* ($(date -u +%H:%M:%S))"; }

step "clean venv in $VENV"
"$PYTHON" -m venv "$VENV"
step "torch ($TORCH_SPEC${TORCH_INDEX:+ from $TORCH_INDEX})"
"$VENV/bin/pip" install -q ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} "$TORCH_SPEC"
step "the app (no dev extras) and PyInstaller"
"$VENV/bin/pip" install -q "$ROOT[installer]"

step "pyinstaller build_installer.spec"
cd "$ROOT"
t0=$(date +%s)
rm -rf "$ROOT/build/build_installer"
nice -n "$NICE" "$VENV/bin/pyinstaller" --noconfirm --log-level WARN build_installer.spec
echo "build took $(( $(date +%s) - t0 )) s"

APP="$ROOT/dist/wbc-desktop"
step "self-test of the frozen app, empty environment (no PYTHONPATH, no venv on PATH)"
t0=$(date +%s.%N)
env -i HOME="$HOME" PATH=/usr/bin:/bin "$APP/wbc-desktop" --self-test
echo "self-test wall time: $(echo "$(date +%s.%N) - $t0" | bc) s"
env -i HOME="$HOME" PATH=/usr/bin:/bin "$APP/wbc-desktop-cli" --version

step "size"
"$VENV/bin/python" "$ROOT/scripts/folder_sizes.py" "$APP"
