"""The pipeline in a child process: same answers, progress, cancel and errors as in-process."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from wbc_desktop.core.errors import Cancelled, InputError, ModelError
from wbc_desktop.core.io.images import read_image
from wbc_desktop.core.io.paths import samples_dir
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.pipeline_process import PipelineProcess


@pytest.fixture(scope="module")
def engine():
    with PipelineProcess(device="cpu") as p:
        yield p


@pytest.mark.slow
def test_same_analysis_as_in_process(engine):
    image = read_image(samples_dir() / "single_cell_cellavision_001.png")
    seen = []
    remote = engine.analyze(image, progress=lambda d, t, m: seen.append((d, t, m)))
    local = Pipeline.load(device="cpu").analyze(image)
    assert np.array_equal(remote.class_map, local.class_map)
    assert [c.cell_type for c in remote.cells] == [c.cell_type for c in local.cells]
    assert seen and seen[-1][0] == seen[-1][1], "progress ends at done == total"
    assert engine.device == "cpu" and engine.device_label == "CPU"
    assert set(engine.models_info()) == {"segmenter", "classifier"}


@pytest.mark.slow
def test_cancel_and_errors_cross_the_pipe(engine):
    image = read_image(samples_dir() / "single_cell_cellavision_001.png")
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        engine.analyze(image, cancel=stop)
    with pytest.raises(InputError):  # the child's own error class, with its message
        engine.analyze("/no/such/image.png")
    assert engine.alive
    assert engine.analyze(image).class_map.shape == image.shape  # still serving after errors


def test_load_failure_is_the_model_error():
    with pytest.raises(ModelError):
        PipelineProcess(seg_model="no-such-model", device="cpu")


@pytest.mark.slow
def test_a_killed_process_gives_a_clear_error_not_a_hang():
    from wbc_desktop.core.pipeline_process import EngineError

    p = PipelineProcess(device="cpu")
    p._proc.kill()
    p._proc.join(5)
    assert not p.alive
    with pytest.raises(EngineError, match="stopped"):
        p.analyze(read_image(samples_dir() / "single_cell_cellavision_001.png"))
    p.close()


@pytest.mark.slow
def test_retype_in_the_child_equals_in_process(engine):
    """A retype request crosses the pipe (RGB once per image) and types cells like the local pipeline."""
    from wbc_desktop.core.cells.retype import make_request

    image = read_image(samples_dir() / "smear_field_bccd_00010.jpg")
    local_pipe = Pipeline.load(device="cpu")
    a = local_pipe.analyze(image)
    ids = [c.cell_id for c in a.cells][:2]
    local = local_pipe.retype(image, a, ids)
    remote = engine.retype_request(image.pixels, make_request(a, ids), key="bccd")
    again = engine.retype_request(None, make_request(a, ids), key="bccd")  # the child kept the RGB
    assert set(remote) == set(ids)
    for i in ids:
        assert np.allclose(remote[i]["embedding"], again[i]["embedding"])  # lab learning: the new embedding too
        assert {k: v for k, v in remote[i].items() if k != "embedding"} == \
            {k: v for k, v in again[i].items() if k != "embedding"}
        assert remote[i]["predicted_type"] == local[i]["predicted_type"]
        assert abs(remote[i]["confidence"] - local[i]["confidence"]) < 1e-5


def test_typing_by_examples_in_the_child_equals_in_process(engine):
    """Lab learning: an examples request is answered by the child like by the local pipeline."""
    from wbc_desktop.core.lab.embeddings import space_of
    from wbc_desktop.core.lab.by_example import ExamplesRequest
    from wbc_desktop.core.lab.prototypes import Examples

    local_pipe = Pipeline.load(device="cpu")
    analyses = [local_pipe.analyze(read_image(samples_dir() / n))
                for n in ("single_cell_cellavision_001.png", "single_cell_pbc_eosinophil.jpg")]
    a, b = analyses
    assert space_of(a.models) == space_of(b.models)
    ex = Examples(space_of(a.models))
    ex.set("a:1", "monocyte", a.cells[0].embedding)
    ex.set("b:1", "eosinophil", b.cells[0].embedding)
    cells = {"a": (np.array([c.cell_id for c in a.cells]), np.stack([c.embedding for c in a.cells])),
             "b": (np.array([c.cell_id for c in b.cells]), np.stack([c.embedding for c in b.cells]))}
    req = ExamplesRequest(ex.space, ex, cells)
    remote, local = engine.type_by_examples(req), local_pipe.type_by_examples(req)
    assert set(remote) == {"a", "b"} and remote.keys() == local.keys()
    for k in remote:
        for cid, r in remote[k].items():
            assert r["predicted_type"] == local[k][cid]["predicted_type"]
            assert abs(r["confidence"] - local[k][cid]["confidence"]) < 1e-5
    top = dict(remote["a"][a.cells[0].cell_id]["top3"])
    assert top.get("monocyte", 0) > 0.3 > a.cells[0].top3[1][1]  # its example's type gained on the head's call
    assert engine.type_by_examples(ExamplesRequest("someone else v9", ex, cells)) == {}  # another space
