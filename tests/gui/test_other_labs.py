"""Other labs in the app: the pixel size setting reaches the analysis; unfamiliar images are said."""

from __future__ import annotations

from .fakes import FakePipeline


class RecordingPipeline(FakePipeline):
    """Records the options of each call; its analyses look unlike the training data."""

    def __init__(self, familiarity: float = 0.1) -> None:
        super().__init__()
        self.options: list[dict] = []
        self.familiarity = familiarity

    def analyze(self, image, progress=lambda *a: None, cancel=None, **options):
        self.options.append(options)
        a = super().analyze(image, progress, cancel)
        a.familiarity = self.familiarity
        return a


def test_pixel_size_is_remembered_and_used(qtbot, make_window, settings, fixtures):
    pipe = RecordingPipeline(familiarity=0.9)
    win = make_window(loader=lambda device: pipe)
    c = win.controller
    assert "pixel_size" in win.actions_.by_key
    c.set_pixel_size(0.33)
    assert settings.pixel_size == 0.33 and c.runner.pixel_size_um == 0.33
    with qtbot.waitSignal(c.runner.imageDone, timeout=30_000):
        c.open_paths([fixtures / "cellavision" / "images" / "002.png"])
    assert pipe.options[-1] == {"pixel_size_um": 0.33}
    c.set_pixel_size(0)
    assert settings.pixel_size == 0.0 and c.runner.pixel_size_um is None
    assert not any("differ from what the models learned" in t for _, t in c.messages.history)


def test_unfamiliar_batch_is_said_once(qtbot, make_window, fixtures):
    win = make_window(loader=lambda device: RecordingPipeline(familiarity=0.1))
    c = win.controller
    with qtbot.waitSignal(c.runner.imageDone, timeout=30_000):
        c.open_paths([fixtures / "cellavision" / "images" / "002.png"])
    qtbot.waitUntil(lambda: any("differ from what the models learned" in t for _, t in c.messages.history), timeout=5000)
    said = [t for lvl, t in c.messages.history if "differ from what the models learned" in t]
    assert len(said) == 1 and "correct a few and retrain" in said[0]


def test_unfamiliar_warning_counts_the_whole_batch(qtbot, make_window, fixtures):
    """Said when the batch is done, so its count is of every image, not of those done so far."""
    win = make_window(loader=lambda device: RecordingPipeline(familiarity=0.1))
    c = win.controller
    paths = sorted((fixtures / "cellavision" / "images").glob("*.png"))[:3]
    with qtbot.waitSignal(c.runner.idle, timeout=30_000):
        c.open_paths(paths)
    said = [t for lvl, t in c.messages.history if "differ from what the models learned" in t]
    assert len(said) == 1 and f"({len(paths)} of {len(paths)} images flagged)" in said[0]


class TwoClassifierPipeline(FakePipeline):
    """Loaded with 'default'; its unfamiliar images are typed by 'other-labs', as the real Pipeline does."""

    def models_info(self) -> dict:
        return {**super().models_info(), "classifier": {"name": "default", "version": "2.3"}}

    def analyze(self, image, progress=lambda *a: None, cancel=None, **options):
        a = super().analyze(image, progress, cancel)
        unfamiliar = "002" in a.image_name
        a.familiarity = 0.1 if unfamiliar else 0.9
        a.models["classifier"] = {"name": "other-labs" if unfamiliar else "default",
                                  "version": "2.4" if unfamiliar else "2.3"}
        return a


def test_status_bar_names_the_classifier_that_typed_the_shown_image(qtbot, make_window, fixtures):
    win = make_window(loader=lambda device: TwoClassifierPipeline())
    c = win.controller
    label = win.status.image_models
    paths = [fixtures / "cellavision" / "images" / n for n in ("002.png", "004.png")]
    with qtbot.waitSignal(c.runner.idle, timeout=30_000):
        c.open_paths(paths)
    c.doc.set_current(c.doc.index_of(paths[0]))
    assert not label.isHidden() and label.text() == "this image: classifier other-labs v2.4"
    assert "classifier default v2.3" in win.status.device.text()  # the loaded model is still named
    c.doc.set_current(c.doc.index_of(paths[1]))
    assert label.isHidden()
