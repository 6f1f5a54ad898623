#!/usr/bin/env bash
# Install the project into .venv and start the app on a bundled sample image.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/wbc-desktop --demo "$@"
