"""project.journal: strokes appended, read back in order, torn lines skipped, dropped once saved."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.editing.edits import MaskPatch
from wbc_desktop.core.project.journal import Journal
from wbc_desktop.core.project.layout import JOURNAL_FILE


def _patch(v: int, with_ids: bool = False) -> MaskPatch:
    before = np.zeros((2, 3), np.uint8)
    after = np.full((2, 3), v, np.uint8)
    ids = np.full((2, 3), 7, np.int32) if with_ids else None
    return MaskPatch((4, 6, 10, 13), before, after, "brush", inst_before=ids, inst_after=ids)


def test_append_read_apply(tmp_path):
    j = Journal(tmp_path)
    assert j.read() == [] and j.append("a", _patch(1)) == 1 and j.append("b", _patch(2, True)) == 2
    es = Journal(tmp_path).read()  # a new instance, as after a crash
    assert [(e.seq, e.key, e.box) for e in es] == [(1, "a", (4, 6, 10, 13)), (2, "b", (4, 6, 10, 13))]
    assert es[0].instance_values is None and int(es[1].instance_values[0, 0]) == 7
    cm, inst = np.zeros((10, 20), np.uint8), np.zeros((10, 20), np.int32)
    es[1].apply(cm, inst)
    assert int(cm[4:6, 10:13].min()) == 2 and int(inst[5, 12]) == 7 and int(cm.sum()) == 2 * 6
    assert Journal(tmp_path).seq == 2  # numbering goes on after a reopen


def test_torn_and_tampered_lines_are_skipped(tmp_path):
    j = Journal(tmp_path)
    j.append("a", _patch(1))
    j.append("a", _patch(2))
    path = tmp_path / JOURNAL_FILE
    lines = path.read_text().splitlines(keepends=True)
    tampered = lines[0].replace('"seq":1', '"seq":9')  # the checksum no longer matches
    path.write_text(tampered + lines[1] + lines[1][: len(lines[1]) // 2])  # and a line torn by a crash
    assert [e.seq for e in j.read()] == [2]


def test_drop_through_keeps_later_strokes_and_removes_an_empty_file(tmp_path):
    j = Journal(tmp_path)
    for v in (1, 2, 3):
        j.append("a", _patch(v))
    j.drop_through(2)
    assert [e.seq for e in j.read()] == [3]
    j.drop_through(3)
    assert not (tmp_path / JOURNAL_FILE).exists()
    j.drop_through(5)  # nothing left: no error
