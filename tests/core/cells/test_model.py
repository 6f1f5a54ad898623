"""The classifier network: BatchNorm (shipped) or GroupNorm (per-image statistics) from the card."""

import pytest
import torch
from torch import nn

from wbc_desktop.core.cells.model import build_classifier


@pytest.mark.parametrize("norm,kind", [("batch", nn.BatchNorm2d), ("group", nn.GroupNorm)])
def test_norm_is_chosen_by_the_card(norm, kind):
    arch = {"in_channels": 5, "widths": [8, 16], "depths": [1, 1], "dropout": 0.0, "norm": norm}
    m = build_classifier(arch, 8).eval()
    norms = [x for x in m.modules() if isinstance(x, (nn.BatchNorm2d, nn.GroupNorm))]
    assert norms and all(isinstance(x, kind) for x in norms)
    assert m(torch.rand(2, 5, 32, 32)).shape == (2, 8)


def test_group_norm_types_each_image_on_its_own_statistics():
    """With GroupNorm an image's answer does not depend on the other images of the batch."""
    torch.manual_seed(0)
    m = build_classifier({"widths": [8, 16], "depths": [1, 1], "norm": "group", "dropout": 0.0}, 4).train()
    x = torch.rand(3, 5, 32, 32)
    assert torch.allclose(m(x)[:1], m(x[:1]), atol=1e-5)


def test_an_old_card_without_norm_builds_batchnorm():
    m = build_classifier({"widths": [8, 16], "depths": [1, 1]}, 3)
    assert any(isinstance(x, nn.BatchNorm2d) for x in m.modules())
    with pytest.raises(ValueError):
        build_classifier({"widths": [8], "depths": [1], "norm": "layer?"}, 3)
