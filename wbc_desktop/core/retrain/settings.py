"""What a retraining is asked to do, and what it gives back (plain data, no torch, no Qt).

The GUI's wizard, the one-click Retrain button and ``wbc-desktop train`` all fill one
:class:`RetrainSettings` and read one :class:`RetrainResult`, so the three paths cannot drift.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

MODEL_KINDS = ("segmenter", "classifier")
DEVICES = ("auto", "cpu", "cuda")


@dataclass
class RetrainSettings:
    """Settings of one retraining; the defaults suit 10-50 corrected images on a 2-core CPU.

    Project mode (``project_dir``) takes the corrected masks and the person's cell types from a
    project; explicit mode (the CLI) takes ``images``/``masks`` pairs (segmenter) and
    ``labels`` (image, cell type) pairs (classifier).
    """

    out_dir: Path  # where new versions go (a project's models/ folder, or --out)
    project_dir: Optional[Path] = None
    images: list[Path] = field(default_factory=list)
    masks: list[Path] = field(default_factory=list)  # same order as images
    labels: list[tuple[Path, str]] = field(default_factory=list)  # (image, cell type)
    models: tuple[str, ...] = MODEL_KINDS
    base_segmenter: str = "default"
    base_classifier: str = "default"
    selected: Optional[list[str]] = None  # project mode: image names/keys to use (None: all corrected)
    val_fraction: float = 0.2
    seed: int = 0
    time_budget_s: Optional[float] = 60.0  # for all models together; None: epochs decide
    epochs: Optional[int] = None
    lr: float = 1e-3
    metric_weight: float = 0.1  # the segmenter's metric-loss weight lambda
    augment: bool = True
    replay: bool = True  # mix the shipped training sample into every batch (no forgetting)
    device: str = "auto"  # auto | cpu | cuda
    # extras (not in the agreed minimum)
    classifier_masks: list[Path] = field(default_factory=list)  # explicit mode: masks of the labelled images
    activate: bool = False  # make the new versions active at once (headless CLI; the GUI asks the person)
    calibrate: bool = True  # fit a stain calibration (segmenter: masks; classifier: typed cells) when the stain differs
    single_folder: bool = False  # out_dir itself becomes the model folder (CLI --out; one model kind only)

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir)
        self.project_dir = Path(self.project_dir) if self.project_dir is not None else None
        self.images = [Path(p) for p in self.images]
        self.masks = [Path(p) for p in self.masks]
        self.labels = [(Path(p), str(t)) for p, t in self.labels]
        self.classifier_masks = [Path(p) for p in self.classifier_masks]
        self.models = tuple(self.models)

    def check(self) -> None:
        """Raise ValueError with one clear line for settings that cannot work."""
        bad = [m for m in self.models if m not in MODEL_KINDS]
        if bad or not self.models:
            raise ValueError(f"models must be among {', '.join(MODEL_KINDS)} (got {', '.join(self.models) or 'none'})")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"val_fraction must be in [0, 1) (got {self.val_fraction})")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise ValueError("time_budget_s must be positive (or None to train by epochs)")
        if self.epochs is not None and self.epochs < 1:
            raise ValueError("epochs must be at least 1")
        if self.time_budget_s is None and self.epochs is None:
            raise ValueError("give a time budget or a number of epochs")
        if self.lr <= 0:
            raise ValueError("lr must be positive")
        if self.device not in DEVICES and not self.device.startswith("cuda:"):
            raise ValueError(f"device must be auto, cpu or cuda (got {self.device!r})")
        if self.single_folder and len(self.models) != 1:
            raise ValueError("a single output folder holds one model: retrain one kind at a time")
        if self.project_dir is None and len(self.images) != len(self.masks):
            raise ValueError(f"{len(self.images)} images but {len(self.masks)} masks")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (for the version card and for passing to a child process)."""
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        d["project_dir"] = str(self.project_dir) if self.project_dir else None
        d["images"] = [str(p) for p in self.images]
        d["masks"] = [str(p) for p in self.masks]
        d["labels"] = [[str(p), t] for p, t in self.labels]
        d["classifier_masks"] = [str(p) for p in self.classifier_masks]
        d["models"] = list(self.models)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RetrainSettings":
        known = set(cls.__dataclass_fields__)
        kw = {k: v for k, v in d.items() if k in known}
        kw["labels"] = [tuple(x) for x in kw.get("labels", [])]
        return cls(**kw)


@dataclass
class RetrainResult:
    """What a retraining produced.

    versions : model kind -> the new version folder (written, not yet active unless asked).
    metrics : kind -> {"before", "after" (held-out images of this lab), "original_before",
        "original_after" (the shipped model's own domain, from the replay hold-out),
        "per_image": [{"image", "before", "after"}], "measure": "dice" | "accuracy", ...}.
    cancelled : True when the person stopped it; then nothing was written.
    """

    versions: dict[str, Path] = field(default_factory=dict)
    metrics: dict[str, dict] = field(default_factory=dict)
    cancelled: bool = False
    messages: list[str] = field(default_factory=list)  # notes for the person (CPU fallback, skipped model...)
    seconds: float = 0.0
