"""Folding BatchNorm into convolutions must not change what the classifier says."""

import torch

from wbc_desktop.core.cells.model import build_classifier
from wbc_desktop.core.cells.fuse import fuse_conv_bn


def _trained_like(seed: int = 0) -> torch.nn.Module:
    """A classifier whose BatchNorms hold non-trivial statistics, as after training."""
    torch.manual_seed(seed)
    model = build_classifier({"in_channels": 5, "widths": [8, 16, 16, 32], "depths": [1, 2, 1, 1]}, 8)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 5, 48, 48) * 2 + 0.5)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
    return model.eval()


def test_fused_model_gives_the_same_logits():
    model = _trained_like()
    fused = fuse_conv_bn(model)
    x = torch.randn(4, 5, 48, 48)
    with torch.inference_mode():
        assert torch.allclose(model(x), fused(x), atol=1e-4)


def test_every_batchnorm_is_folded_and_the_original_is_untouched():
    model = _trained_like(1)
    n_bn = sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    fused = fuse_conv_bn(model)
    assert n_bn == 14  # stem + 5 blocks x 2 + 3 projection shortcuts - the check below must see them all go
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fused.modules())
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules()) == n_bn
