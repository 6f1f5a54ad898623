"""The status bar's one-line description of the loaded models."""

from __future__ import annotations

from wbc_desktop.gui.runner import describe_pipeline


class _Loaded:
    device = "cpu"

    def __init__(self, views: int, recheck_below: float | None = None, second: list | None = None) -> None:
        self.views, self.recheck_below, self.second = views, recheck_below, second or []

    def models_info(self) -> dict:
        return {"segmenter": {"name": "default", "version": "3"},
                "classifier": {"name": "default", "version": "2.3", "views": self.views,
                                      "recheck_below": self.recheck_below, "second_opinion": self.second}}


def test_status_line_names_devices_models_and_rotated_views():
    assert describe_pipeline(_Loaded(1)) == "CPU · segmenter default v3 · classifier default v2.3"
    assert describe_pipeline(_Loaded(4)) == "CPU · segmenter default v3 · classifier default v2.3 (4 views)"
    assert describe_pipeline(_Loaded(4, 0.6)).endswith("classifier default v2.3 (4 views if unsure (< 0.60))")
    assert describe_pipeline(_Loaded(4, 0.8, ["default v2.2"])).endswith("(4 views if unsure (< 0.80), 2 models)")
