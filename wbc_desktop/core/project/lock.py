"""One window per project: a lock file naming who holds it, taken over when its owner is dead."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Optional

from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.project.layout import LOCK_FILE



class ProjectLocked(WbcError):
    """The project is open in another window or process."""


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (no signal is sent)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        import ctypes

        windll = ctypes.windll  # type: ignore[attr-defined]  # Windows only (this branch runs only there)
        handle = windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ProjectLock:
    """``acquire`` creates the lock file atomically (O_EXCL) or explains who holds it."""

    def __init__(self, root: Path | str, user: Optional[str] = None) -> None:
        self.path = Path(root) / LOCK_FILE
        self.user = user or os.environ.get("USER") or os.environ.get("USERNAME") or "someone"
        self.held = False

    def _mine(self) -> dict:
        return {"pid": os.getpid(), "host": socket.gethostname(), "user": self.user,
                "since": time.strftime("%Y-%m-%d %H:%M:%S")}

    def holder(self) -> Optional[dict]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def acquire(self) -> None:
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                h = self.holder()
                if h is None:  # written half by a process killed in the act, or unreadable
                    if time.time() - _mtime(self.path) > 5:
                        _remove(self.path)
                        continue
                    raise ProjectLocked(f"{self.path.parent.name}: the project is being opened by another window")
                same_host = h.get("host") == socket.gethostname()
                if same_host and not pid_alive(int(h.get("pid", -1))):
                    _remove(self.path)  # stale: its process is gone
                    continue
                if same_host and int(h.get("pid", -1)) == os.getpid():
                    raise ProjectLocked(f"{self.path.parent.name}: the project is already open in this window")
                where = "" if same_host else f" on {h.get('host')}"
                raise ProjectLocked(
                    f"{self.path.parent.name}: the project is open in another window (user {h.get('user')}, "
                    f"process {h.get('pid')}{where}, since {h.get('since')}); close it there first")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self._mine(), f)
                f.flush()
                os.fsync(f.fileno())
            self.held = True
            return
        raise ProjectLocked(f"{self.path.parent.name}: could not take the project's lock file {self.path}")

    def release(self) -> None:
        if self.held:
            h = self.holder()
            if h is not None and int(h.get("pid", -1)) == os.getpid():
                _remove(self.path)
            self.held = False


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def _remove(p: Path) -> None:
    try:
        p.unlink()
    except OSError:
        pass
