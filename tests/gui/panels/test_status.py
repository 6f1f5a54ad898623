"""The status bar's per-image classifier note."""

from __future__ import annotations

from wbc_desktop.gui.panels.status import image_classifier_note

LOADED = {"segmenter": {"name": "default", "version": 3}, "classifier": {"name": "default", "version": "2.3"}}


def test_note_only_when_another_classifier_typed_the_image():
    assert image_classifier_note(LOADED, LOADED) == ""
    other = {**LOADED, "classifier": {"name": "other-labs", "version": "2.4"}}
    assert image_classifier_note(other, LOADED) == "this image: classifier other-labs v2.4"
    newer = {**LOADED, "classifier": {"name": "default", "version": "2.4"}}  # analysed before a model change
    assert image_classifier_note(newer, LOADED) == "this image: classifier default v2.4"


def test_no_note_without_a_classifier_on_either_side():
    assert image_classifier_note({}, LOADED) == ""
    assert image_classifier_note(LOADED, {"segmenter": LOADED["segmenter"]}) == ""


def test_colour_note_names_the_reference_or_nothing():
    from wbc_desktop.gui.panels.status import colour_note

    assert colour_note("pbc (plasma + red cells)") == "colour: pbc (plasma + red cells)"
    assert colour_note("") == ""
