"""Issue 25 item 7: sample details entered once per project, kept in it, read back when it opens."""

from __future__ import annotations

from wbc_desktop.core.review.sample_info import SAMPLE_FILE, SampleInfo


def test_sample_details_are_kept_with_the_project(qtbot, make_window, tmp_path):
    win = make_window(load=False)
    session = win.project_session
    assert session.create(tmp_path / "proj")
    win.sample_details.set(SampleInfo(sample_id="P-7", stain="Giemsa"))
    assert (tmp_path / "proj" / SAMPLE_FILE).is_file()
    session.close()
    assert win.sample_details.info.empty  # another batch starts blank
    assert session.open(tmp_path / "proj")
    assert win.sample_details.info.sample_id == "P-7" and win.sample_details.info.stain == "Giemsa"
    session.close()
