"""Stain, illumination and geometry augmentation for classifier training, on batches in torch.

Why: the shipped classifier is trained on one analyser's images (PBC) but must type cells
from other scanners and stains. HED-space jitter (Ruifrok-Johnston colour deconvolution,
the same matrices as ``skimage.color.rgb2hed``) varies haematoxylin/eosin uptake the way
labs differ; brightness/contrast/gamma and blur cover optics; scale jitter of the crop
normalisation covers segmentation error in the cell's size; rotations/flips are free since
cells have no orientation.

All functions take NxCxHxW float tensors in [0, 1] for RGB (channels 0-2); extra channels
(nucleus/cytoplasm masks) only follow the geometric transforms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from skimage.color.colorconv import hed_from_rgb, rgb_from_hed

_HED_FROM_RGB = torch.tensor(hed_from_rgb, dtype=torch.float32)
_RGB_FROM_HED = torch.tensor(rgb_from_hed, dtype=torch.float32)
_LOG_ADJUST = math.log(1e-6)


@dataclass
class AugmentSettings:
    hed_sigma: float = 0.08  # multiplicative jitter per stain channel
    hed_bias: float = 0.02  # additive jitter per stain channel
    brightness: float = 0.12
    contrast: float = 0.15
    gamma: float = 0.15
    blur_p: float = 0.3
    blur_sigma: tuple[float, float] = (0.3, 1.2)
    scale: tuple[float, float] = (0.85, 1.18)  # crop-normalisation scale jitter
    shift: float = 0.05  # centre jitter as a fraction of the crop
    noise: float = 0.02
    # Cytoplasm stretch (radial warp about the cell's centre, nucleus kept): the cytoplasm
    # rim is scaled by k (log-uniform in ``cyto_stretch``) for a ``cyto_p`` share of crops. PBC
    # lymphocytes have a thin rim, other labs' (CellaVision) often a wide one; without this
    # the N:C ratio alone decides lymphocyte vs monocyte/ig and such cells are all mistyped.
    cyto_p: float = 0.0
    cyto_stretch: tuple[float, float] = (0.6, 1.6)
    cyto_min_share: float = 0.2  # thinner rims are left alone (stretching them streaks the nucleus edge)
    # Stain hue: each stain's colour vector is perturbed per image (labs' haematoxylin runs from
    # blue to violet, eosin from pink to orange); 0 keeps the Ruifrok-Johnston colours.
    stain_vector_sigma: float = 0.0
    # Nucleus-only haematoxylin strength x(1 + N(0, sigma)), using the nucleus mask: chromatin
    # darkness differs between labs independently of the cytoplasm's colour.
    nucleus_sigma: float = 0.0


PRESETS = {
    "standard": AugmentSettings(),
    # for other labs' images: wider stain strength and hue, nucleus darkness and stronger blur
    "robust": AugmentSettings(hed_sigma=0.2, hed_bias=0.02, stain_vector_sigma=0.05, nucleus_sigma=0.15,
                              blur_p=0.5, blur_sigma=(0.3, 2.0)),
}


def rgb_to_hed(rgb: torch.Tensor, clip: bool = True) -> torch.Tensor:
    """skimage's rgb2hed for NCHW tensors in [0, 1]; ``clip=False`` keeps it invertible."""
    x = torch.log(rgb.clamp_min(1e-6)) / _LOG_ADJUST
    hed = torch.einsum("nchw,cd->ndhw", x, _HED_FROM_RGB.to(rgb))
    return hed.clamp_min(0) if clip else hed


def hed_to_rgb(hed: torch.Tensor, stains: torch.Tensor | None = None) -> torch.Tensor:
    """Inverse of :func:`rgb_to_hed` (skimage's hed2rgb); ``stains`` (Nx3x3, rows = stain colour
    vectors) replaces the reference colours per image."""
    od = hed * -_LOG_ADJUST
    if stains is None:
        log_rgb = torch.einsum("nchw,cd->ndhw", od, _RGB_FROM_HED.to(hed))
    else:
        log_rgb = torch.einsum("nchw,ncd->ndhw", od, stains)
    return torch.exp(log_rgb.neg()).clamp(0, 1)


def hed_jitter(rgb: torch.Tensor, sigma: float, bias: float, gen: torch.Generator | None = None,
               vector_sigma: float = 0.0, nucleus: torch.Tensor | None = None,
               nucleus_sigma: float = 0.0) -> torch.Tensor:
    """Per-image random stain strength: hed * (1 + N(0, sigma)) + U(-bias, bias).

    ``vector_sigma`` also perturbs each stain's colour vector (per image, re-normalised), and
    ``nucleus`` (Nx1xHxW in [0, 1]) with ``nucleus_sigma`` scales haematoxylin inside it only.
    """
    n = rgb.shape[0]
    alpha = 1.0 + sigma * torch.randn(n, 3, 1, 1, generator=gen)
    beta = bias * (2 * torch.rand(n, 3, 1, 1, generator=gen) - 1)
    hed = rgb_to_hed(rgb, clip=False) * alpha + beta
    if nucleus is not None and nucleus_sigma > 0:
        k = nucleus_sigma * torch.randn(n, 1, 1, 1, generator=gen)
        hed = torch.cat([hed[:, :1] * (1 + k * nucleus), hed[:, 1:]], 1)
    if vector_sigma <= 0:
        return hed_to_rgb(hed)
    m = _RGB_FROM_HED.to(rgb).expand(n, 3, 3) + vector_sigma * torch.randn(n, 3, 3, generator=gen)
    m = m.clamp_min(0.01)
    return hed_to_rgb(hed, m / m.norm(dim=2, keepdim=True))  # unit stain vectors, as in the reference


def photometric(rgb: torch.Tensor, s: AugmentSettings, gen: torch.Generator | None = None) -> torch.Tensor:
    """Brightness, contrast, gamma, blur and noise, each drawn per image."""
    n = rgb.shape[0]
    u = lambda a: (2 * torch.rand(n, 1, 1, 1, generator=gen) - 1) * a  # noqa: E731
    mean = rgb.mean(dim=(1, 2, 3), keepdim=True)
    x = (rgb - mean) * (1 + u(s.contrast)) + mean + u(s.brightness)
    x = x.clamp(1e-4, 1).pow(torch.exp(u(s.gamma)))
    if s.blur_p > 0:
        pick = torch.rand(n, generator=gen) < s.blur_p
        if pick.any():
            lo, hi = s.blur_sigma
            sig = lo + (hi - lo) * torch.rand(1, generator=gen).item()
            x[pick] = gaussian_blur(x[pick], sig)
    if s.noise > 0:
        x = x + s.noise * torch.randn(x.shape, generator=gen)
    return x.clamp(0, 1)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    r = max(1, int(math.ceil(2.5 * sigma)))
    k = torch.exp(-torch.arange(-r, r + 1, dtype=x.dtype) ** 2 / (2 * sigma * sigma))
    k = k / k.sum()
    c = x.shape[1]
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def geometric(x: torch.Tensor, out_size: int, s: AugmentSettings | None, gen: torch.Generator | None = None) -> torch.Tensor:
    """Centre ``out_size`` crop of larger context crops with random rotation, flip, scale, shift.

    With ``s`` None this is the exact centre crop (evaluation), equal to what inference's
    :func:`wbc_desktop.core.cells.crops.crop_cell` gives at ``out_size``.
    """
    n, _, h, w = x.shape
    if s is None:
        t, l = (h - out_size) // 2, (w - out_size) // 2
        return x[:, :, t : t + out_size, l : l + out_size]
    ang = 2 * math.pi * torch.rand(n, generator=gen)
    lo, hi = s.scale
    # zoom > 1 shows the cell larger, as if segmented smaller: sample a smaller input area
    zoom = torch.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * torch.rand(n, generator=gen))
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    frac = out_size / w
    a = frac / zoom
    cos, sin = torch.cos(ang) * a, torch.sin(ang) * a
    shift = s.shift * 2 * (2 * torch.rand(n, 2, generator=gen) - 1) * frac
    theta = torch.stack([
        torch.stack([cos * flip, -sin, shift[:, 0]], 1),
        torch.stack([sin * flip, cos, shift[:, 1]], 1),
    ], 1)
    grid = F.affine_grid(theta, [n, x.shape[1], out_size, out_size], align_corners=False)
    if s.cyto_p > 0 and x.shape[1] >= 5:
        grid = cytoplasm_warp(grid, x, s, gen)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def cytoplasm_warp(grid: torch.Tensor, x: torch.Tensor, s: AugmentSettings,
                   gen: torch.Generator | None = None) -> torch.Tensor:
    """Compose a sampling grid with a radial stretch of the cytoplasm (see ``cyto_p``).

    Cells are treated as discs about the crop centre (the centroid): the nucleus disc (equal
    area) is kept, the rim beyond it is scaled by k, then everything is scaled back so the
    whole cell keeps its normalised size. Channels 3 and 4 (the masks) give the areas.
    """
    n, _, h, w = x.shape
    area_n = x[:, 3].sum(dim=(1, 2))
    area_c = area_n + x[:, 4].sum(dim=(1, 2))
    to_norm = 2.0 / w  # pixels -> grid units ([-1, 1] across the crop)
    r_cell = torch.sqrt(area_c / math.pi) * to_norm
    r_nuc = torch.sqrt(area_n / math.pi) * to_norm
    lo, hi = s.cyto_stretch
    k = torch.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * torch.rand(n, generator=gen))
    pick = (torch.rand(n, generator=gen) < s.cyto_p) & (area_n > 0) & (area_c - area_n >= s.cyto_min_share * area_c)
    k = torch.where(pick, k, torch.ones_like(k))
    scale = (r_nuc + k * (r_cell - r_nuc)) / r_cell.clamp_min(1e-6)  # stretched / original radius
    k, r_nuc, scale = (v.view(n, 1, 1, 1) for v in (k, r_nuc, scale))
    r = grid.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    rho = r * scale  # radius in the stretched picture
    src = torch.where(rho <= r_nuc, rho, r_nuc + (rho - r_nuc) / k)
    return grid * (src / r)


def augment_batch(
    crops: torch.Tensor, out_size: int, s: AugmentSettings | None, gen: torch.Generator | None = None
) -> torch.Tensor:
    """uint8 NxHxWxC context crops -> float NxCxSxS in [0, 1], augmented when ``s`` is given."""
    x = crops.permute(0, 3, 1, 2).float().div_(255.0)
    x = geometric(x, out_size, s, gen)
    if s is not None:
        if s.hed_sigma or s.hed_bias or s.stain_vector_sigma or s.nucleus_sigma:
            rgb = hed_jitter(x[:, :3], s.hed_sigma, s.hed_bias, gen, s.stain_vector_sigma,
                             x[:, 3:4] if x.shape[1] >= 5 else None, s.nucleus_sigma)
        else:
            rgb = x[:, :3]
        x = torch.cat([photometric(rgb, s, gen), x[:, 3:]], 1)
    return x.contiguous()
