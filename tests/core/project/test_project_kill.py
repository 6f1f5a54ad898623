"""kill -9 while strokes are applied: every stroke that finished is there on reopen."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from wbc_desktop.core.project.project import Project

from tests.core.project.kill_worker import points
from tests.core.project.test_project import new_project

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("kill_after", [3, 17, 40])
def test_no_finished_stroke_is_lost_after_sigkill(tmp_path, kill_after):
    p, root = new_project(tmp_path, 1)
    p.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "tests.core.project.kill_worker", str(root), "121"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    done = -1
    for line in proc.stdout:
        if line.startswith("done"):
            done = int(line.split()[1])
            if done >= kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                break
    rest = proc.stdout.read()  # lines printed before the kill landed are finished strokes too
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the worker ended before it was killed"
    for line in rest.splitlines():
        if line.startswith("done"):
            done = max(done, int(line.split()[1]))
    q = Project.open(root)  # the dead worker's lock is stale and taken over
    a = q.load_analysis(q.images[0])
    lost = [i for i, (x, y) in enumerate(points(done + 1)) if a.class_map[y, x] != 1 + i % 2]
    assert lost == [], f"strokes lost after kill -9: {lost} of {done + 1}"
    q.close()
