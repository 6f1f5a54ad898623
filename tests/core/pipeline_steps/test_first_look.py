import pytest

from wbc_desktop.core.io.images import ImageData, read_image
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.pipeline_steps.first_look import first_look
from wbc_desktop.core.pipeline_steps.glance import take_glance
from wbc_desktop.core.pipeline_steps.scale_policy import decide_scale
from wbc_desktop.core.imaging.scale import ScaleChoice


@pytest.fixture(scope="module")
def shipped():
    return Pipeline.load("default", "default", device="cpu")


def test_glance_sees_the_cell_at_a_quarter_of_the_pixels(shipped, fixtures):
    rgb = read_image(fixtures / "cellavision" / "images" / "002.png").pixels
    g = take_glance(shipped.segmenter, rgb, 0.5, None)
    assert g.class_map.shape == (75, 75) and g.model_scale == pytest.approx(2.0)
    assert g.cells and max(c.area_px for c in g.cells_in_input_px()) > 50 * max(c.area_px for c in g.cells) / 4


def test_a_tiny_image_is_glanced_at_up_to_model_scale(shipped, fixtures):
    rgb = read_image(fixtures / "tight_crops" / "images" / "002_x2_norbc.png").pixels
    g = take_glance(shipped.segmenter, rgb, 0.5, None)
    assert g.model_scale == pytest.approx(1.0)  # 82 px at 0.5: already under 64 px at half of it


def test_trusted_scales_are_not_second_guessed(shipped, fixtures):
    rgb = read_image(fixtures / "cellavision" / "images" / "002.png").pixels
    g = take_glance(shipped.segmenter, rgb, 0.9, None)
    d = decide_scale(ScaleChoice(0.9, "set", "user", 1.0), g, rgb.shape[:2])
    assert (d.factor, d.method, d.doubtful) == (0.9, "user", False)


def test_first_look_takes_a_plugged_in_standardisation(shipped, fixtures):
    """The plug for a colour standardisation: the segmenter sees its output, the analysis names it,
    and no self-calibration is fitted on top of it."""
    seen = []

    class Grey:
        name = "test-grey"

        def apply(self, rgb):
            seen.append(rgb.shape)
            return rgb

    rgb = read_image(fixtures / "cellavision" / "images" / "002.png").pixels
    t: dict = {}
    look = first_look(shipped, rgb, None, None, t, standardise=lambda x: Grey())
    assert look.colour.kind == "standardised" and look.colour.standardisation == "test-grey"
    assert seen and "glance" in t
    shipped.standardise = lambda x: Grey()
    try:
        a = shipped.analyze(ImageData(rgb))
    finally:
        shipped.standardise = None
    assert a.standardisation == "test-grey"
    assert any("standardised" in n for n in a.notes)


def test_a_big_field_is_not_glanced_at_and_its_candidates_are_found_once(shipped, fixtures):
    from wbc_desktop.cli.bench import _field

    big = _field(1920, 1440)
    t: dict = {}
    look = first_look(shipped, big, None, None, t)
    assert shipped.segmenter.is_field(big.shape[:2], look.scale.factor)
    assert look.glance is None and look.boxes is not None and "candidates" in t
