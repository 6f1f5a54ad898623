"""Save bookkeeping: no write for an unchanged review; a project's own analyses are not saved again."""

from wbc_desktop.core.review.save_book import ProjectWrites, ReviewWrites
from wbc_desktop.core.review.store import ImageReview


def test_an_unchanged_review_is_not_written_again():
    w = ReviewWrites()
    r = ImageReview("a.png", reviewed={1: "basophil"})
    assert not w.unchanged(r)
    w.written(r)
    assert w.unchanged(r)
    r.mask_version += 1  # a mask edit that removed no reviewed cell
    assert w.unchanged(r)
    r.reviewed[2] = "eosinophil"
    assert not w.unchanged(r)


def test_an_analysis_read_from_the_project_needs_no_save_a_new_one_does():
    p = ProjectWrites()
    loaded, rerun = object(), object()
    p.read("a.png", loaded)
    assert not p.needs_save("a.png", loaded, revision=5)
    assert not p.needs_save("a.png", loaded, revision=5)  # asked again for the same analysis
    assert p.needs_save("a.png", rerun, revision=6)  # re-analysed: a new model output
    p.read("/abs/b.png", loaded_b := object())
    assert not p.needs_save("b.png", loaded_b, revision=7)  # found by identity under another spelling
    assert p.arriving == {}
    p.clear()
    assert p.needs_save("a.png", loaded, revision=5)


def test_rows_written_by_a_step_are_not_written_again_a_retype_waits():
    p = ProjectWrites()
    p.step_written("k1")
    assert not p.review_changed("k1")  # the History wrote them
    assert p.review_changed("k1")  # the next change is a model's retype
    assert p.review_changed("k2")
    assert p.take_retyped() == {"k1", "k2"} and p.take_retyped() == set()
