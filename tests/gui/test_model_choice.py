"""Choosing the cell-type model and its rotated views: menu entries, remembered settings, model reloads."""

from __future__ import annotations

from .fakes import FakePipeline


def test_cell_type_model_menu_lists_installed_models_and_reloads_with_the_choice(qtbot, make_window, settings):
    loads: list[str] = []

    def loader(device):
        loads.append(settings.classifier)  # what the real loader would pass to the model process
        return FakePipeline()

    win = make_window(loader=loader)
    menu = win.actions_.classifier_menu
    names = [a.data() for a in menu.actions()]
    assert {"default", "pbc-only"} <= set(names)  # the shipped models, found without importing torch
    checked = [a.data() for a in menu.actions() if a.isChecked()]
    assert checked == ["default"]
    assert any("trained on PBC" in a.text() for a in menu.actions())
    pick = next(a for a in menu.actions() if a.data() == "pbc-only")
    runner = win.controller.runner
    with qtbot.waitSignal(runner.pipelineReady, timeout=5000):
        pick.trigger()
    assert settings.classifier == "pbc-only" and loads == ["default", "pbc-only"]
    assert pick.isChecked()


def test_settings_loader_passes_the_chosen_model(monkeypatch, settings):
    from wbc_desktop.gui import runner as runner_mod

    seen = []
    monkeypatch.setattr(runner_mod, "default_loader",
                        lambda device, cls_model="default", views=0, seg_model="default":
                        seen.append((device, cls_model, views, seg_model)))
    settings.classifier = "pbc-only"
    runner_mod.settings_loader(settings)("cpu")
    settings.views = 4
    settings.segmenter = "unet-reference"
    runner_mod.settings_loader(settings)("cpu")
    assert seen == [("cpu", "pbc-only", 0, "default"), ("cpu", "pbc-only", 4, "unet-reference")]


def test_views_entries_reload_the_models_and_are_remembered(qtbot, make_window, settings):
    loads: list[int] = []

    def loader(device):
        loads.append(settings.views)
        return FakePipeline()

    win = make_window(loader=loader)
    acts = win.views_actions
    assert set(acts) == {0, 1, 4} and settings.views == 0  # the model card's policy by default
    assert [v for v, a in acts.items() if a.isChecked()] == [0]
    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=5000):
        acts[4].trigger()
    assert settings.views == 4 and loads == [0, 4] and acts[4].isChecked() and not acts[0].isChecked()
    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=5000):
        acts[1].trigger()
    assert settings.views == 1 and loads == [0, 4, 1]
    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=5000):
        acts[0].trigger()
    assert settings.views == 0 and loads == [0, 4, 1, 0]
    settings.q.setValue("analysis/views", "garbage")  # a hand-edited settings file must not break loading
    assert settings.views == 0
