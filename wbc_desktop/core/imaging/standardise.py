"""Colour standardisation, once per image, before either network sees it (issue 23, item 1).

Why: absolute colour changes with stain, lamp and camera; the colour *relative to what every smear
holds* (the plasma background, the red cells) does not. So each image is mapped onto the training
labs' reference from those two anchors:

1. the plasma's brightness is fitted, per channel, by a smooth quadratic surface through plasma
   pixels (vignetting and uneven lamps are divided out; a flat image gets a flat surface);
2. in optical density relative to that surface, OD = -ln(I / plasma), the red cells' median
   OD per channel is measured (core.imaging.rbc_size's red-cell mask);
3. a per-channel affine map in OD space sends plasma to the reference plasma and red cells
   towards the reference red cells: OD' = a_c * OD + OD_ref_plasma_c, where a_c is the density
   gain of the red cells' OD norms times the square root of the channel's own residual ratio.

A crop with too few red cells uses the plasma and the cell itself: one gain for all channels
from the stained (nucleus) pixels' OD norm, so the cell's own hue is kept. An image already close
to its reference is left untouched (familiar images give the same result as before). The map
is diagonal on purpose: it keeps the relative cue that types eosinophils (granules the colour of
the red cells beside them), which a full colour transfer could erase.

Why not torchstain / staintools: their Macenko and Vahadane estimates look for two stains in
quantity (H&E tissue); a blood field holds one white cell among hundreds of red cells, so the
"hematoxylin" vector is poorly determined, and Reinhard matches global LAB statistics, which
a field's red-cell count moves. Both would add a dependency for less.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.imaging.rbc_size import estimate_rbc_size, red_cell_mask, red_cells_present
from wbc_desktop.core.imaging.pixels import _purple, as_rgb_u8, downsample

REFERENCE_NAME = "colour/reference.json"  # under resources/ (training/recipes/make_colour_reference.py)
_WORK = 120_000  # measure on a copy about this big
MIN_RBC_SHARE = 0.05  # red cells cover at least this share of the image to anchor the map
MIN_PLASMA_SHARE = 0.03
GAIN_RANGE = (0.4, 2.5)
NUCLEUS_TRUST = 0.4  # |ln(nucleus OD ratio)| under this: the nucleus moves nothing (a type's own density)
# |ln gain| within this and plasma OD offsets under IDENTITY_OD: leave the image alone (about the
# spread among the training labs' own images: their plasma OD offsets reach 0.10-0.13 at the 90th percentile)
IDENTITY_TOL = 0.2
IDENTITY_OD = 0.12
FLAT_TOL = 0.12  # plasma surface spread (max/min - 1) under this: no illumination correction


@dataclass
class ColourReference:
    """One lab's anchors: plasma and red-cell optical densities (per RGB channel, vs white 255)."""

    name: str
    plasma_od: np.ndarray
    rbc_od: np.ndarray  # relative to the plasma
    nucleus_od_norm: float  # the stained (nucleus) pixels' OD norm relative to plasma

    @classmethod
    def from_dict(cls, d: dict) -> "ColourReference":
        return cls(d["name"], np.asarray(d["plasma_od"], np.float64), np.asarray(d["rbc_od"], np.float64),
                   float(d["nucleus_od_norm"]))

    def to_dict(self) -> dict:
        return {"name": self.name, "plasma_od": [round(float(v), 4) for v in self.plasma_od],
                "rbc_od": [round(float(v), 4) for v in self.rbc_od], "nucleus_od_norm": round(self.nucleus_od_norm, 4)}


def load_references(path: Optional[Path] = None) -> list[ColourReference]:
    """The training labs' references (resources/colour/reference.json); [] when absent."""
    if path is None:
        from wbc_desktop.core.io.paths import resources_dir

        path = resources_dir() / REFERENCE_NAME
    if not Path(path).is_file():
        return []
    return [ColourReference.from_dict(d) for d in json.loads(Path(path).read_text())["labs"]]


@dataclass
class Anchors:
    """What one image holds to standardise by (work-copy measurements)."""

    plasma_rgb: Optional[np.ndarray]  # median plasma colour at the image centre (0..255)
    surface: Optional[np.ndarray]  # (3, 6) quadratic coefficients of ln(plasma) per channel, or None
    rbc_od: Optional[np.ndarray]  # red cells' median OD relative to plasma, per channel
    nucleus_od_norm: Optional[float]
    rbc_share: float
    plasma_share: float
    notes: list[str] = field(default_factory=list)


def _design(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(yy), yy, xx, yy * yy, xx * xx, yy * xx], axis=-1)


def _fit_surface(rgb: np.ndarray, plasma: np.ndarray) -> Optional[np.ndarray]:
    """Least-squares quadratic of ln(I) over plasma pixels, per channel (normalised coordinates)."""
    ys, xs = np.nonzero(plasma)
    if len(ys) < 50:
        return None
    h, w = plasma.shape
    sel = np.linspace(0, len(ys) - 1, min(len(ys), 20000)).astype(int)
    ys, xs = ys[sel], xs[sel]
    A = _design(ys / h - 0.5, xs / w - 0.5)
    vals = np.log(np.maximum(rgb[ys, xs].astype(np.float64), 1.0))
    coef, *_ = np.linalg.lstsq(A, vals, rcond=None)
    return coef.T  # (3, 6)


def _surface_at(coef: np.ndarray, h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    A = _design(yy / h - 0.5, xx / w - 0.5)
    return np.exp(A @ coef.T)  # HxWx3


def measure_anchors(rgb: np.ndarray) -> Anchors:
    """Plasma surface, red-cell OD and nucleus OD of ``rgb`` (HxWx3 uint8), on a small copy."""
    a = as_rgb_u8(rgb)
    h, w = a.shape[:2]
    small = downsample(a, max(1, int(np.ceil(np.sqrt(h * w / _WORK)))))
    sh, sw = small.shape[:2]
    rbc, purple, note = red_cell_mask(small)
    if note.startswith("no contrast"):  # blank or uniform: nothing to tell plasma from cells
        return Anchors(None, None, None, None, 0.0, 0.0, [note])
    f = small.astype(np.float64)
    bright = f.sum(axis=2)
    stained = purple | (rbc if rbc is not None else np.zeros_like(purple))
    # plasma: not stained, not dark (Otsu-free: the brightest half of the unstained pixels)
    cand = ~stained
    if rbc is None:  # no red-cell mask: plasma is the bright, unstained end
        cand &= bright >= np.percentile(bright, 60)
    from scipy import ndimage as ndi

    plasma = ndi.binary_erosion(cand, iterations=2) & (bright >= np.percentile(bright[cand], 40) if cand.any() else cand)
    anchors = Anchors(None, None, None, None, float(rbc.mean()) if rbc is not None else 0.0,
                      float(plasma.mean()), [note] if note != "ok" else [])
    if anchors.plasma_share < MIN_PLASMA_SHARE:
        anchors.notes.append(f"plasma covers {anchors.plasma_share:.0%}: too little to anchor the colour")
        return anchors
    coef = _fit_surface(f, plasma)
    surf = _surface_at(coef, sh, sw) if coef is not None else np.broadcast_to(np.median(f[plasma], axis=0), f.shape)
    anchors.surface = coef
    anchors.plasma_rgb = surf[sh // 2, sw // 2].copy()
    od = -np.log(np.clip(f / np.maximum(surf, 1.0), 1e-3, 1.0))
    # red cells the rulers accept: a quick check first (cheap where there are none), then the
    # consensus ruler (specks or cut cells around a crop's white cell pass the quick one)
    if (rbc is not None and anchors.rbc_share >= MIN_RBC_SHARE and red_cells_present(rbc, purple)
            and estimate_rbc_size(small).ok):
        core = ndi.binary_erosion(rbc, iterations=1)
        if core.sum() > 30:
            anchors.rbc_od = np.median(od[core], axis=0)
    if purple.sum() > 30:
        n = np.linalg.norm(od[purple], axis=1)
        anchors.nucleus_od_norm = float(np.percentile(n, 75))
    return anchors


@dataclass
class Standardisation:
    """The result: the image the models see, and what was done to it (for images.csv, the app)."""

    pixels: np.ndarray
    reference: str  # e.g. "pbc (plasma + red cells)"; "" when the image was left as it was
    gains: Optional[np.ndarray] = None
    note: str = ""
    map: Optional["ColourMap"] = None  # the fitted map (apply it to the same image at another size)

    @property
    def applied(self) -> bool:
        return bool(self.reference) and self.gains is not None


def _nearest(refs: list[ColourReference], plasma_od: np.ndarray, rbc_od: Optional[np.ndarray]) -> ColourReference:
    def dist(r: ColourReference) -> float:
        d = float(np.linalg.norm(r.plasma_od - plasma_od))
        return d + (float(np.linalg.norm(r.rbc_od - rbc_od)) if rbc_od is not None else 0.0)

    return min(refs, key=dist)


def standardise(rgb: np.ndarray, references: Optional[list[ColourReference]] = None) -> Standardisation:
    """Map ``rgb``'s colours onto the nearest training lab's reference (see the module doc).

    Returns the image unchanged (``reference == ""``) when it cannot be anchored or is already
    within tolerance of its reference; the note says which.
    """
    refs = load_references() if references is None else references
    a = as_rgb_u8(rgb)
    if not refs:
        return Standardisation(a, "", note="no colour reference installed")
    anc = measure_anchors(a)
    if anc.plasma_rgb is None:
        return Standardisation(a, "", note="; ".join(anc.notes) or "no plasma to anchor the colour")
    plasma_od = -np.log(np.clip(anc.plasma_rgb / 255.0, 1e-3, 1.0))
    ref = _nearest(refs, plasma_od, anc.rbc_od)
    if anc.rbc_od is not None and np.all(anc.rbc_od > 0.02):
        # one density gain from the OD norms (stable), and the channels' own ratios only halfway
        # (a few cut red cells or a white cell's pink cytoplasm move single channels a lot)
        g = float(np.linalg.norm(ref.rbc_od) / np.linalg.norm(anc.rbc_od))
        gains = np.clip(g * np.sqrt((ref.rbc_od / anc.rbc_od) / g), *GAIN_RANGE)
        how = "plasma + red cells"
    elif anc.nucleus_od_norm and abs(np.log(ref.nucleus_od_norm / anc.nucleus_od_norm)) > NUCLEUS_TRUST:
        # the cell's own nucleus is a weak anchor (its density varies by type): only a gross
        # difference in stain density moves the map, one gain for all channels
        gains = np.full(3, float(np.clip(ref.nucleus_od_norm / anc.nucleus_od_norm, *GAIN_RANGE)))
        how = "plasma + the cell"
    else:
        gains = np.ones(3)
        how = "plasma"
    h, w = a.shape[:2]
    coarse = _surface_at(anc.surface, 32, 32) if anc.surface is not None else np.broadcast_to(anc.plasma_rgb, (32, 32, 3))
    per = coarse.reshape(-1, 3)
    flat = float(np.max(per.max(0) / np.maximum(per.min(0), 1.0)) - 1.0) < FLAT_TOL  # per channel
    off = float(np.max(np.abs(plasma_od - ref.plasma_od)))
    if flat and np.all(np.abs(np.log(gains)) <= IDENTITY_TOL) and off <= IDENTITY_OD:
        return Standardisation(a, "", gains=None, note=f"colour already like the {ref.name} reference: left as it is")
    m = ColourMap(np.asarray(anc.plasma_rgb, np.float64), None if flat else np.asarray(coarse, np.float32),
                  np.asarray(gains, np.float64), np.asarray(ref.plasma_od, np.float64), "")
    out = m.apply(a)
    label = f"{ref.name} ({how})"
    note = (f"colour standardised to the {label} reference: OD gains {', '.join(f'{g:.2f}' for g in gains)}"
            + ("" if flat else "; uneven illumination corrected"))
    m.name = label
    return Standardisation(out, label, gains=gains, note=note, map=m)


@dataclass
class ColourMap:
    """A fitted standardisation that applies to the image at any size (the segmenter applies it to
    its resized copy): I' = 255 exp(-OD_ref) (I / plasma)^gain per channel, I / plasma <= 1."""

    plasma_rgb: np.ndarray
    surface: Optional[np.ndarray]  # 32 x 32 x 3 plasma surface (vignetting), None when flat
    gains: np.ndarray
    ref_plasma_od: np.ndarray
    name: str  # what Analysis.standardisation records

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        a = as_rgb_u8(rgb)
        h, w = a.shape[:2]
        top = 255.0 * np.exp(-self.ref_plasma_od)
        if self.surface is None:  # one plasma colour: a lookup table per channel
            v = np.arange(256, dtype=np.float64)
            out = np.empty_like(a)
            for c in range(3):
                ratio = np.clip(v / max(float(self.plasma_rgb[c]), 1.0), 1e-3, 1.0)
                lut = np.clip(top[c] * ratio ** self.gains[c] + 0.5, 0, 255).astype(np.uint8)
                out[..., c] = lut[a[..., c]]
            return out
        from scipy import ndimage as ndi  # the plasma surface, smooth by construction: interpolated

        surf = np.stack([ndi.zoom(self.surface[..., c], (h / 32, w / 32), order=1, grid_mode=True,
                                  mode="nearest")[:h, :w] for c in range(3)], axis=-1)
        ratio = np.clip(a.astype(np.float32) / np.maximum(surf, 1.0), 1e-3, 1.0)
        return np.clip(top.astype(np.float32) * ratio ** self.gains.astype(np.float32) + 0.5, 0, 255).astype(np.uint8)


def plug(rgb: np.ndarray) -> Optional[ColourMap]:
    """The one-pass pipeline's colour plug (core.pipeline_steps.colour.Standardise): the fitted map, or
    None when the image is left as it is."""
    s = standardise(rgb)
    return s.map if s.applied else None
