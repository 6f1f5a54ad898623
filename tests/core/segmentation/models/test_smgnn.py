import numpy as np
import pytest
import torch

from wbc_desktop.core.segmentation.losses import metric_loss, soft_dice_loss
from wbc_desktop.core.segmentation.models.smgnn import SMGNN, SMGNNConfig, count_parameters
from wbc_desktop.core.segmentation.models.unet import UNet, UNetConfig
from wbc_desktop.core.segmentation.forward import GraphSettings, make_batch, predict_logits, rgb_tensor
from wbc_desktop.core.segmentation.superpixels import label_fractions


def test_default_model_fits_the_parameter_budget():
    assert count_parameters(SMGNN(SMGNNConfig())) <= 20_000


@pytest.mark.parametrize("variant", ["pixel", "node"])
def test_forward_shapes_and_gradients(cell_pair, variant):
    rgb, mask = cell_pair
    crops = [rgb[:64, :64], rgb[100:164, 100:164]]
    masks = [mask[:64, :64], mask[100:164, 100:164]]
    batch, sps = make_batch(crops, GraphSettings())
    model = SMGNN(SMGNNConfig(variant=variant))
    logits, emb = model(batch, rgb_tensor(crops))
    assert logits.shape == (2, 3, 64, 64) and emb.shape == (batch.x.shape[0], 32)
    y = torch.from_numpy(np.concatenate([label_fractions(sp, m) for sp, m in zip(sps, masks)]))
    target = torch.from_numpy(np.stack(masks).astype(np.int64))
    loss = soft_dice_loss(logits, target) + metric_loss(model, emb, y)
    loss.backward()
    assert all(p.grad is not None for p in model.gnn.parameters())
    assert model.metric_a.grad is not None  # a, b are learnt


def test_node_variant_is_constant_within_a_superpixel(cell_pair):
    rgb, _ = cell_pair
    crop = rgb[:48, :48]
    batch, sps = make_batch([crop], GraphSettings())
    logits, _ = SMGNN(SMGNNConfig(variant="node"))(batch, rgb_tensor([crop]))
    lab = sps[0].labels
    pred = logits[0].argmax(0).numpy()
    for k in np.unique(lab)[:20]:
        assert len(np.unique(pred[lab == k])) == 1


def test_metric_loss_is_zero_for_perfect_similarity():
    class Perfect(torch.nn.Module):
        def similarity(self, a, b, c):
            return (a[:, :1] + b[:, :1].T) / 2  # embeddings carry y itself

    y = torch.tensor([[0, 0, 1.0], [1, 0, 0], [0, 0, 1], [0.5, 0, 0.5]])
    emb = y[:, 2:3].repeat(1, 4)
    assert metric_loss(Perfect(), emb, y).item() < 1e-9


def test_dice_loss_extremes():
    t = torch.zeros(1, 4, 4, dtype=torch.long)
    t[0, :2] = 2
    perfect = torch.nn.functional.one_hot(t, 3).permute(0, 3, 1, 2).float() * 50
    assert soft_dice_loss(perfect, t).item() < 0.01
    assert soft_dice_loss(-perfect, t).item() > 0.6


def test_predict_logits_any_size_and_unet(cell_pair):
    rgb, _ = cell_pair
    for model in (SMGNN(SMGNNConfig()), UNet(UNetConfig(base=4, depth=2))):
        out = predict_logits(model.eval(), rgb[:37, :53], GraphSettings(), torch.device("cpu"))
        assert out.shape == (3, 37, 53)
