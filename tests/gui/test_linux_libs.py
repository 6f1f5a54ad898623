"""Issue 25 item 4: the libxcb-cursor0 check that run.sh, the app and --self-test make before Qt starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wbc_desktop.gui.measure import linux_libs as ll

HAS = ("1234 libs found in cache `/etc/ld.so.cache'\n"
       "\tlibxcb-cursor.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb-cursor.so.0\n"
       "\tlibxcb.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb.so.1\n")
LACKS = "2 libs found in cache\n\tlibxcb.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb.so.1\n" \
        "\tlibxcb-cursor-extra.so.0 (libc6,x86-64) => /x\n"
UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n'
FEDORA = 'NAME="Fedora Linux"\nID=fedora\n'


def test_missing_library_names_the_package():
    msg = ll.problem(env={"DISPLAY": ":0"}, listing=LACKS, os_release=UBUNTU)
    assert "libxcb-cursor.so.0" in msg and "sudo apt install libxcb-cursor0" in msg
    assert "dnf install xcb-util-cursor" in ll.problem(env={}, listing=LACKS, os_release=FEDORA)


def test_present_library_or_other_platform_is_fine(tmp_path):
    assert ll.problem(env={"DISPLAY": ":0"}, listing=HAS) == ""
    assert ll.problem(env={"QT_QPA_PLATFORM": "offscreen"}, listing=LACKS) == ""
    assert ll.problem(env={"WAYLAND_DISPLAY": "wayland-0"}, listing=LACKS) == ""  # Qt takes Wayland there
    assert ll.xcb_needed({"QT_QPA_PLATFORM": "xcb"}) and not ll.xcb_needed({}, platform="win32")
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")  # a frozen folder that ships its own copy
    assert ll.has_library(LACKS, (tmp_path,)) is True
    assert ll.has_library(None) is None  # no ldconfig: let Qt try


def test_run_sh_prints_the_package_instead_of_starting(tmp_path):
    """The module run.sh calls, with an ldconfig that knows no libxcb-cursor on the PATH."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (tmp_path / "listing").write_text(LACKS)
    (fake / "ldconfig").write_text(f"#!/bin/sh\ncat {tmp_path / 'listing'}\n")
    (fake / "ldconfig").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(PATH=f"{fake}:{env.get('PATH', '')}", DISPLAY=":0",
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    r = subprocess.run([sys.executable, "-m", "wbc_desktop.gui.measure.linux_libs"], env=env, capture_output=True, text=True)
    if sys.platform.startswith("linux"):
        assert r.returncode == 1 and "install libxcb-cursor0" in r.stderr
    run_sh = (Path(__file__).resolve().parents[2] / "scripts" / "run.sh").read_text()
    assert "-m wbc_desktop.gui.measure.linux_libs || exit 1" in run_sh


def test_the_app_says_what_to_install_before_qt_starts(monkeypatch, capsys):
    from wbc_desktop.gui import app

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(ll, "ldconfig_listing", lambda: LACKS)
    monkeypatch.setattr(ll.sys, "platform", "linux")
    assert app.main([]) == 2
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0" in err and ("install libxcb-cursor0" in err or "xcb-util-cursor" in err)


def test_self_test_checks_the_library(monkeypatch):
    from wbc_desktop.cli.selftest import Report, _check_x11_library

    monkeypatch.setattr(ll.sys, "platform", "linux")
    monkeypatch.setattr(ll, "ldconfig_listing", lambda: LACKS)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    rep = Report()
    _check_x11_library(rep)
    assert rep.failures and "libxcb-cursor0" in rep.failures[0]  # an X11 desktop: the window could not open
    monkeypatch.delenv("DISPLAY")
    rep = Report()
    _check_x11_library(rep)
    assert not rep.failures  # no display: said as a note, not a failure
    monkeypatch.setattr(ll, "ldconfig_listing", lambda: HAS)
    rep = Report()
    _check_x11_library(rep)
    assert not rep.failures
