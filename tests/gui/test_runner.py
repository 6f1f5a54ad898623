"""The status bar's one-line description of the loaded models."""

from wbc_desktop.gui.runner import describe_pipeline


class _Loaded:
    device = "cpu"

    def __init__(self, views: int) -> None:
        self.views = views

    def models_info(self) -> dict:
        return {"segmenter": {"name": "default", "version": "3"},
                "classifier": {"name": "default", "version": "2.3", "views": self.views}}


def test_status_line_names_devices_models_and_rotated_views():
    assert describe_pipeline(_Loaded(1)) == "CPU · segmenter default v3 · classifier default v2.3"
    assert describe_pipeline(_Loaded(4)) == "CPU · segmenter default v3 · classifier default v2.3 (4 views)"
