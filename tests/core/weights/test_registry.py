"""Model cards: a one-line description for menus, read without torch."""

from __future__ import annotations


def test_describe_says_what_a_model_was_trained_on_without_torch():
    import subprocess
    import sys

    from wbc_desktop.core.weights.registry import describe

    assert describe({"version": "2", "data": {"train": "PBC (Acevedo)"}}) == "v2, trained on PBC"
    both = describe({"version": "2", "data": {"train": "PBC", "cellavision": "train split"},
                     "augment": {"stain_vector_sigma": 0.05}})
    assert both.startswith("v2, trained on PBC + CellaVision") and "stains unlike PBC" in both
    assert "image only" in describe({"version": "1", "data": {"train": "PBC"}, "input": {"mode": "image"}})
    code = ("import sys; from wbc_desktop.core.weights import registry as r; "
            "[r.describe(r.read_card(n, 'classifier')) for n in r.list_names('classifier')]; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
