#!/usr/bin/env bash
# Install the project into .venv and start the app on a bundled sample image.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
# Qt's X11 plugin needs libxcb-cursor0, which pip cannot install: name the package instead of a Qt abort
# (the same check as `ldconfig -p | grep libxcb-cursor`, in wbc_desktop/gui/measure/linux_libs.py)
if [ "$(uname -s)" = Linux ]; then
    .venv/bin/python -m wbc_desktop.gui.measure.linux_libs || exit 1
fi
exec .venv/bin/wbc-desktop --demo "$@"
