"""A LocalCluster of 2 single-threaded workers: the same bytes as one process, resume, a killed worker."""

import os
import shutil
import signal

import pytest

from wbc_desktop.core.batch import records
from wbc_desktop.core.batch.job import BatchSettings
from wbc_desktop.core.batch.runner import run_batch
from wbc_desktop.core.io.images import list_images

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    from wbc_desktop.core.batch.cluster import open_client

    with open_client(workers=2) as c:
        yield c


@pytest.fixture
def inputs(tmp_path, fixtures):
    d = tmp_path / "in"
    d.mkdir()
    for k in range(3):  # six images, so tasks are in flight when a worker is killed
        for n in ("002.png", "007.png"):
            shutil.copy(fixtures / "cellavision" / "images" / n, d / f"{k}_{n}")
    (d / "bad.png").write_bytes(b"")
    return list_images([d])


def _outputs(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and records.RECORDS not in p.parts}


@pytest.mark.slow
def test_two_workers_write_the_same_bytes_resume_and_survive_a_killed_worker(tmp_path, inputs, tiny_segmenter, client):
    local, lines = tmp_path / "local", []
    settings = BatchSettings(model=str(tiny_segmenter), classifier=None, threads=1)
    rep = run_batch(inputs, local, settings, say=lines.append)
    assert rep.failed == 1
    want = _outputs(local)

    on2, lines2 = tmp_path / "cluster", []
    rep2 = run_batch(inputs, on2, settings, client=client, say=lines2.append)
    assert (rep2.analysed, rep2.failed) == (rep.analysed, 1) and _outputs(on2) == want
    assert [ln for ln in lines2 if ln.startswith("error:")] == [ln for ln in lines if ln.startswith("error:")]

    rep3 = run_batch(inputs, on2, settings, client=client, say=lambda s: None)
    assert rep3.resumed == rep.analysed and rep3.analysed == 0 and _outputs(on2) == want

    pids = list(client.run(os.getpid).values())
    killed = []

    def kill_after_first(line):
        if line.startswith("[1/") and not killed:
            os.kill(pids[0], signal.SIGKILL)  # a worker dies with tasks queued on it
            killed.append(pids[0])
    killed_out = tmp_path / "killed"
    rep4 = run_batch(inputs, killed_out, settings, client=client, say=kill_after_first)
    assert killed and rep4.analysed == rep.analysed and _outputs(killed_out) == want
    assert pids[0] not in client.run(os.getpid).values()
