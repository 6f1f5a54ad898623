"""One retraining: gather the examples, fine-tune each asked model with replay, measure
before/after, write each new version (temp folder renamed into place only when complete).

Called by the GUI's training process, the CLI and the figures' scripts alike. Events are plain
dicts (picklable, for a child process): ``stage``, ``step``, ``val``, ``log`` (see settings).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Callable, Optional

import torch

from wbc_desktop.core.device import describe_device, is_oom, resolve_device
from wbc_desktop.core.errors import Cancelled, WbcError
from wbc_desktop.core.weights.registry import CARD, WEIGHTS
from wbc_desktop.core.retrain import data as rdata
from wbc_desktop.core.retrain.settings import RetrainResult, RetrainSettings
from wbc_desktop.core.weights.versions import VersionStore

Event = Callable[[dict], None]
SEG_SHARE = 0.7  # of the time budget, when both models are retrained (the classifier learns faster)


def cpu_threads() -> int:
    """Threads for CPU training: the cores not already busy (at least one).

    Why: on a shared or busy machine torch's default (every core) oversubscribes the CPU and a
    training step became 4-6x slower (measured: 8.5 s vs 1.5 s at load 12 on 2 cores).
    """
    import os

    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))


class _StopFlag:
    """``should_stop`` as the ``is_set()`` token the training loops poll."""

    def __init__(self, fn: Callable[[], bool]) -> None:
        self.fn = fn

    def is_set(self) -> bool:
        return bool(self.fn())


def _budget(s: RetrainSettings, kind: str, t0: float) -> Optional[float]:
    if s.time_budget_s is None:
        return None
    left = s.time_budget_s - (time.perf_counter() - t0)
    if kind == "segmenter" and "classifier" in s.models:
        return max(3.0, s.time_budget_s * SEG_SHARE - (time.perf_counter() - t0))
    return max(2.0, left)


def _train_one(kind: str, s: RetrainSettings, ex_train, ex_val, device, emit, stop, notes, t0):
    if kind == "segmenter":
        from wbc_desktop.core.retrain.tune_segmenter import finetune_segmenter

        return finetune_segmenter(ex_train, ex_val, s.base_segmenter, _budget(s, kind, t0), s.epochs, s.lr,
                                  s.metric_weight, s.augment, s.replay, s.seed, device, emit, stop, s.calibrate)
    from wbc_desktop.core.retrain.tune_classifier import finetune_classifier

    return finetune_classifier(ex_train, ex_val, s.base_classifier, s.base_segmenter, _budget(s, kind, t0), s.epochs,
                               s.lr, s.augment, s.replay, s.seed, device, emit, stop, notes, s.calibrate)


def _with_fallback(kind, s, ex_train, ex_val, device, emit, stop, notes, t0):
    """Train on ``device``; a CUDA out-of-memory retries on the CPU, with a message."""
    try:
        return _train_one(kind, s, ex_train, ex_val, device, emit, stop, notes, t0), device
    except RuntimeError as e:
        if device.type != "cuda" or not is_oom(e):
            raise
        torch.cuda.empty_cache()
        msg = f"{kind}: the GPU ran out of memory; training again on the CPU"
        notes.append(msg)
        emit({"kind": "log", "text": msg})
        cpu = torch.device("cpu")
        return _train_one(kind, s, ex_train, ex_val, cpu, emit, stop, notes, t0), cpu


def _examples(s: RetrainSettings, notes: list[str]):
    if s.project_dir is not None:
        seg, cells = rdata.project_examples(s, notes)
    else:
        seg = rdata.explicit_seg_examples(s, notes) if "segmenter" in s.models else []
        cells = rdata.explicit_cell_examples(s, notes) if "classifier" in s.models else []
    return {"segmenter": seg, "classifier": cells}


def _split(kind: str, examples: list, s: RetrainSettings):
    names = [e.name if kind == "segmenter" else e.image for e in examples]
    tr, va = rdata.split_names(names, s.val_fraction, s.seed)
    return [e for e, n in zip(examples, names) if n in tr], [e for e, n in zip(examples, names) if n in va]


def _write_version(store: VersionStore, kind: str, state: dict, card: dict, metrics: dict, s: RetrainSettings,
                   device: torch.device, seconds: float) -> Path:
    from safetensors.torch import save_file

    base = s.base_segmenter if kind == "segmenter" else s.base_classifier
    parent = Path(base).name if (store.root / kind / Path(base).name / WEIGHTS).is_file() else None
    name = store.new_name(kind)
    card = dict(card, kind=kind, name=name, label=name, version=name, parent=parent, base=str(base),
                created=time.strftime("%Y-%m-%dT%H:%M:%S%z"), metrics=metrics, device=describe_device(device),
                seconds=round(seconds, 1), retrain_settings=s.to_dict())
    staged = store.staging(kind)
    try:
        save_file({k: v.detach().cpu().float().contiguous() if v.is_floating_point() else v.detach().cpu().contiguous()
                   for k, v in state.items()}, str(staged / WEIGHTS))
        (staged / CARD).write_text(json.dumps(card, indent=2, default=str) + "\n", encoding="utf-8")
        store.add(kind, staged, name)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return store.folder(kind, name)


def _write_single(kind: str, state: dict, card: dict, metrics: dict, s: RetrainSettings, device: torch.device,
                  seconds: float) -> Path:
    """``out_dir`` as one model folder (``train --out M``): built in a temp store, then swapped in."""
    import tempfile

    from wbc_desktop.core.io.atomic import replace_folder

    out = s.out_dir
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_root = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        folder = _write_version(VersionStore(tmp_root), kind, state, card, metrics, s, device, seconds)
        data = json.loads((folder / CARD).read_text(encoding="utf-8"))
        data.update(name=out.name, label=out.name)
        (folder / CARD).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        replace_folder(folder, out)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    return out


def run_retrain(settings: RetrainSettings, on_event: Event = lambda e: None,
                should_stop: Callable[[], bool] = lambda: False) -> RetrainResult:
    """Retrain the asked models; nothing is written when stopped (``cancelled`` is then True).

    Raises WbcError (one line) for settings or data that cannot work.
    """
    t0 = time.perf_counter()
    s = settings
    try:
        s.check()
    except ValueError as e:
        raise WbcError(str(e)) from None
    device = resolve_device(s.device)
    stop = _StopFlag(should_stop)
    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(cpu_threads())
    try:
        return _run(s, device, stop, on_event, should_stop, t0)
    finally:
        torch.set_num_threads(threads)


def _run(s: RetrainSettings, device: torch.device, stop: "_StopFlag", on_event: Event,
         should_stop: Callable[[], bool], t0: float) -> RetrainResult:
    notes: list[str] = []
    on_event({"kind": "stage", "model": "", "text": f"reading the corrections (training on {describe_device(device)}"
              + (f", {torch.get_num_threads()} CPU threads)" if device.type == "cpu" else ")")})
    examples = _examples(s, notes)
    for n in notes:
        on_event({"kind": "log", "text": n})
    outputs: dict[str, tuple] = {}
    result = RetrainResult(messages=notes)
    try:
        for kind in s.models:
            ex = examples[kind]
            if not ex:
                what = "corrected images" if kind == "segmenter" else "cells typed by a person"
                notes.append(f"{kind}: no {what} to learn from; not retrained")
                on_event({"kind": "log", "text": notes[-1]})
                continue
            tr, va = _split(kind, ex, s)
            on_event({"kind": "log", "text": f"{kind}: {len(tr)} for training, {len(va)} held out"})
            k0 = time.perf_counter()
            try:
                (state, card, metrics), used = _with_fallback(kind, s, tr, va, device, on_event, stop, notes, t0)
            except ValueError as e:
                notes.append(f"{kind}: {e}; not retrained")
                on_event({"kind": "log", "text": notes[-1]})
                continue
            if should_stop():
                raise Cancelled()
            outputs[kind] = (state, card, metrics, used, time.perf_counter() - k0)
            result.metrics[kind] = metrics
            if metrics.get("before") is not None and metrics["after"] < metrics["before"] - 0.005:
                notes.append(f"{kind}: the new version does worse than the current one on the held-out images "
                             f"({metrics['before']:.3f} -> {metrics['after']:.3f}); keeping the current one is advised")
                on_event({"kind": "log", "text": notes[-1]})
    except Cancelled:
        on_event({"kind": "stage", "model": "", "text": "cancelled: nothing was written"})
        return RetrainResult(cancelled=True, messages=notes, seconds=time.perf_counter() - t0)
    if not outputs:
        raise WbcError("nothing to retrain: " + "; ".join(notes) if notes else "nothing to retrain")
    for kind, (state, card, metrics, used, secs) in outputs.items():
        if s.single_folder:
            result.versions[kind] = _write_single(kind, state, card, metrics, s, used, secs)
            continue
        store = VersionStore(s.out_dir)
        result.versions[kind] = _write_version(store, kind, state, card, metrics, s, used, secs)
        if s.activate:
            store.activate(kind, result.versions[kind].name)
    result.seconds = time.perf_counter() - t0
    on_event({"kind": "stage", "model": "", "text": f"done in {result.seconds:.0f} s"})
    return result
