"""Every subcommand through the installed console script: the entry point cannot drift from the parser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wbc_desktop.cli.commands import RUNNERS, build_parser, subcommands


def _script() -> str:
    here = Path(sys.executable).with_name("wbc-desktop")
    found = str(here) if here.exists() else shutil.which("wbc-desktop")
    if not found:
        pytest.skip("the wbc-desktop console script is not installed")
    return found


def test_every_parsed_subcommand_has_a_runner():
    assert set(subcommands()) == set(RUNNERS)
    assert "train-classifier" in subcommands()


@pytest.mark.parametrize("sub", subcommands())
def test_subcommand_help_through_console_script(sub):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OMP_NUM_THREADS="1")
    r = subprocess.run([_script(), sub, "--help"], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: wbc-desktop {sub}"), r.stdout[:200]
    # the usage names the subcommand's own options, not the window's
    sp = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction").choices[sub]
    for opt in (o for a in sp._actions for o in a.option_strings if o.startswith("--") and o != "--help"):
        assert opt in r.stdout
