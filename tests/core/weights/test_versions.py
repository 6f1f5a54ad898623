"""VersionStore: listing, activation and rollback, rename/delete, and one-file export/import
that refuses pickled, tampered and truncated files with a clear message."""

from __future__ import annotations

import json
import pickle
import struct

import numpy as np
import pytest
from safetensors.numpy import save_file

from wbc_desktop.core.weights import registry
from wbc_desktop.core.weights.versions import VersionStore


def _stage(store: VersionStore, kind: str = "segmenter", value: float = 1.0, parent=None) -> str:
    d = store.staging(kind)
    save_file({"w": np.full((3, 4), value, np.float32), "b": np.arange(5, dtype=np.int64)}, str(d / "weights.safetensors"))
    (d / "card.json").write_text(json.dumps({"kind": kind, "name": "x", "parent": parent, "created": str(value)}))
    return store.add(kind, d)


def test_versions_list_activate_rollback(tmp_path):
    st = VersionStore(tmp_path / "models")
    assert st.list("segmenter") == [] and st.active("segmenter") is None
    a = _stage(st, value=1.0)
    b = _stage(st, value=2.0, parent=a)
    assert a.startswith("v1-") and b.startswith("v2-")
    names = [c["name"] for c in st.list("segmenter")]
    assert names == [b, a]  # newest first
    st.activate("segmenter", b)
    assert st.active("segmenter") == b
    assert [c["active"] for c in st.list("segmenter")] == [True, False]
    assert st.rollback("segmenter") == a and st.active("segmenter") == a
    assert st.rollback("segmenter") is None and st.active("segmenter") is None  # back to the shipped default
    with pytest.raises(ValueError, match="no segmenter version"):
        st.activate("segmenter", "v9-nope")


def test_rename_and_delete_falls_back_to_parent(tmp_path):
    st = VersionStore(tmp_path)
    a = _stage(st, value=1.0)
    b = _stage(st, value=2.0, parent=a)
    st.rename("segmenter", b, "  stain B  lab ")
    assert st.card("segmenter", b)["label"] == "stain B lab"
    st.activate("segmenter", b)
    st.delete("segmenter", b)
    assert st.names("segmenter") == [a] and st.active("segmenter") == a
    with pytest.raises(ValueError):
        st.rename("segmenter", a, "   ")


def test_store_folder_works_as_a_model_path(tmp_path):
    st = VersionStore(tmp_path)
    a = _stage(st, value=1.0)
    b = _stage(st, value=2.0)
    assert registry.resolve(str(tmp_path), "segmenter") == st.folder("segmenter", b)  # newest
    st.activate("segmenter", a)
    assert registry.resolve(str(tmp_path), "segmenter") == st.folder("segmenter", a)  # active wins


def test_export_import_round_trip(tmp_path):
    src = VersionStore(tmp_path / "a")
    a = _stage(src, value=3.0)
    f = src.export("segmenter", a, tmp_path / "lab-model")
    assert f.suffix == ".safetensors" and f.is_file()
    dst = VersionStore(tmp_path / "b")
    name = dst.import_file("segmenter", f)
    from safetensors.numpy import load_file

    w = load_file(str(dst.folder("segmenter", name) / "weights.safetensors"))
    assert np.all(w["w"] == 3.0)
    assert dst.card("segmenter", name)["imported_from"] == f.name
    with pytest.raises(ValueError, match="not a classifier"):
        dst.import_file("classifier", f)


def test_import_refuses_pickle(tmp_path):
    p = tmp_path / "evil.safetensors"
    p.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    with pytest.raises(ValueError, match="pickle"):
        VersionStore(tmp_path / "s").import_file("segmenter", p)
    z = tmp_path / "ckpt.pt"
    z.write_bytes(b"PK\x03\x04" + b"\0" * 100)  # a torch.save zip
    with pytest.raises(ValueError, match="pickle"):
        VersionStore(tmp_path / "s").import_file("segmenter", z)
    assert not (tmp_path / "s" / "segmenter").exists() or VersionStore(tmp_path / "s").names("segmenter") == []


def test_import_refuses_truncated_and_tampered(tmp_path):
    src = VersionStore(tmp_path / "a")
    f = src.export("segmenter", _stage(src), tmp_path / "m.safetensors")
    raw = f.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(raw[:-10])
    with pytest.raises(ValueError, match="truncated"):
        VersionStore(tmp_path / "s").import_file("segmenter", cut)
    # flip one byte of the weights: the seal no longer matches
    bad = bytearray(raw)
    bad[-3] ^= 0xFF
    tam = tmp_path / "tampered.safetensors"
    tam.write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="seal"):
        VersionStore(tmp_path / "s").import_file("segmenter", tam)
    # a plain safetensors file without a card
    plain = tmp_path / "plain.safetensors"
    save_file({"w": np.zeros(2, np.float32)}, str(plain))
    with pytest.raises(ValueError, match="not a WBC Desktop model export"):
        VersionStore(tmp_path / "s").import_file("segmenter", plain)
    # a header that lies about a tensor's size
    n = struct.unpack("<Q", raw[:8])[0]
    head = json.loads(raw[8:8 + n])
    head["w"]["shape"] = [30, 4]
    h2 = json.dumps(head).encode()
    liar = tmp_path / "liar.safetensors"
    liar.write_bytes(struct.pack("<Q", len(h2)) + h2 + raw[8 + n:])
    with pytest.raises(ValueError, match="shape|truncated"):
        VersionStore(tmp_path / "s").import_file("segmenter", liar)
    assert VersionStore(tmp_path / "s").names("segmenter") == []


def test_staging_leftovers_are_not_versions(tmp_path):
    st = VersionStore(tmp_path)
    d = st.staging("classifier")
    (d / "weights.safetensors").write_bytes(b"partial")
    assert st.list("classifier") == []
