"""Before Qt starts on Linux: is the one system library Qt's X11 plugin needs and pip cannot bring there?

Why: since Qt 6.5 the ``xcb`` platform plugin needs ``libxcb-cursor.so.0``, which PySide6's wheel
does not ship and a fresh desktop often lacks; Qt then aborts with a core dump and a line about
"xcb-cursor0 or libxcb-cursor0". Looking first (``ldconfig -p``, then the frozen folder's own
libraries) lets ``scripts/run.sh``, the app and ``--self-test`` name the package to install instead.
No Qt import here: this runs where Qt would abort.

``python -m wbc_desktop.gui.measure.linux_libs`` prints the advice and exits 1 when the library is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Optional

SONAME = "libxcb-cursor.so.0"
#: package that provides it, by the distribution family named in /etc/os-release (ID, ID_LIKE)
PACKAGES = (("debian", "sudo apt install libxcb-cursor0"), ("ubuntu", "sudo apt install libxcb-cursor0"),
            ("fedora", "sudo dnf install xcb-util-cursor"), ("rhel", "sudo dnf install xcb-util-cursor"),
            ("arch", "sudo pacman -S xcb-util-cursor"), ("suse", "sudo zypper install libxcb-cursor0"))


def ldconfig_listing() -> Optional[str]:
    """``ldconfig -p`` (the dynamic linker's cache), or None when it cannot be run."""
    for exe in ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"):
        try:
            return subprocess.run([exe, "-p"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
    return None


def xcb_needed(env: Mapping[str, str], platform: Optional[str] = None) -> bool:
    """Qt will load the X11 (xcb) plugin: Linux, and no other platform asked for or found."""
    if not (platform or sys.platform).startswith("linux"):
        return False
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa:
        return qpa.split(";")[0].split(":")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")  # Qt 6 prefers Wayland in a Wayland session


def has_library(listing: Optional[str], bundle_dirs: tuple[Path, ...] = ()) -> Optional[bool]:
    """Whether ``libxcb-cursor.so.0`` can be loaded: in the linker cache or a folder shipped beside
    the app (a frozen build); None when neither can be looked at."""
    for d in bundle_dirs:
        if any(Path(d).glob(SONAME + "*")):
            return True
    if listing is None:
        return None
    return any(line.strip().startswith(SONAME + " ") for line in listing.splitlines())


def install_hint(os_release: str = "") -> str:
    """The one command to run, chosen from /etc/os-release (Debian/Ubuntu's when unknown)."""
    ids = ""
    for line in os_release.splitlines():
        if line.startswith(("ID=", "ID_LIKE=")):
            ids += " " + line.split("=", 1)[1].strip().strip('"').lower()
    for name, cmd in PACKAGES:
        if name in ids.split():
            return cmd
    return PACKAGES[0][1] + "   (Fedora: xcb-util-cursor, Arch: xcb-util-cursor)"


def bundle_dirs() -> tuple[Path, ...]:
    """Folders a frozen build keeps its own shared libraries in."""
    base = getattr(sys, "_MEIPASS", None)
    return (Path(base), Path(base) / "PySide6" / "Qt" / "lib") if base else ()


def problem(env: Optional[Mapping[str, str]] = None, listing: Optional[str] = "",
            os_release: Optional[str] = None) -> str:
    """'' when Qt can start here, else one message naming the package; ``listing=""`` runs ldconfig."""
    env = os.environ if env is None else env
    if not xcb_needed(env):
        return ""
    found = has_library(ldconfig_listing() if listing == "" else listing, bundle_dirs())
    if found is not False:
        return ""  # found, or no way to tell: let Qt try
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8")
        except OSError:
            os_release = ""
    return (f"WBC Desktop needs the system library {SONAME} to open its window on X11 (Qt's xcb plugin), "
            f"and it is not installed. Install it with:\n\n    {install_hint(os_release)}\n\nthen start again. "
            "(The command-line tools, wbc-desktop analyze …, work without it.)")


def main() -> int:
    msg = problem()
    if msg:
        print(msg, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
