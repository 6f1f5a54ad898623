#!/usr/bin/env bash
# Install the project with its test extras into .venv, check the import contracts, the import graph
# and the types of core/ and cli/, run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/lint-imports
.venv/bin/python scripts/import_graph.py > /dev/null  # exits 1 on an import cycle between modules
.venv/bin/mypy  # core/ and cli/ (settings in pyproject.toml)
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} .venv/bin/python -m pytest -q "$@"
