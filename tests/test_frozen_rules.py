"""Rules that keep the PyInstaller build (one frozen executable, no Python) working, checked statically.

Why static: a frozen-only failure shows up on a lab's PC, not in the test suite. The rules:
the entry points call ``multiprocessing.freeze_support()`` first (the model process is a
"spawn" child of the same executable), every process is started from a "spawn" context with a
module-level target, no DataLoader starts worker processes, and the packages whose functions
TorchScript compiles ship their .py sources.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wbc_desktop"
SPEC = ROOT / "build_installer.spec"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Attribute) and f.attr == name) or (isinstance(f, ast.Name) and f.id == name):
                yield node


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_processes_start_from_a_spawn_context_with_module_level_targets():
    bad, contexts = [], 0
    for path, tree in _modules():
        for call in _calls(tree, "get_context"):
            contexts += 1
            if not (call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value == "spawn"):
                bad.append(f"{_where(path, call)}: get_context without 'spawn'")
        for name in ("Process", "Pool", "set_start_method"):
            for call in _calls(tree, name):
                f = call.func
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in ("mp", "multiprocessing"):
                    bad.append(f"{_where(path, call)}: multiprocessing.{name} outside a spawn context")
                for kw in call.keywords:
                    if kw.arg == "target" and isinstance(kw.value, ast.Lambda):
                        bad.append(f"{_where(path, call)}: a lambda target cannot cross to a spawn child")
    assert contexts >= 1  # the model process (core.pipeline_process) is found, so the scan works
    assert not bad, "\n".join(bad)


def test_no_dataloader_worker_processes():
    bad = []
    for path, tree in _modules():
        for call in _calls(tree, "DataLoader"):
            for kw in call.keywords:
                if kw.arg == "num_workers" and not (isinstance(kw.value, ast.Constant) and kw.value.value == 0):
                    bad.append(f"{_where(path, call)}: DataLoader(num_workers=...) must be 0 in a frozen app")
    assert not bad, "\n".join(bad)


def _first_call_is_freeze_support(fn: ast.FunctionDef) -> bool:
    for stmt in fn.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue  # docstring, imports
        return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
            getattr(stmt.value.func, "attr", "") == "freeze_support"
    return False


def test_entry_points_call_freeze_support_first():
    tree = ast.parse((PACKAGE / "cli" / "__init__.py").read_text(encoding="utf-8"))
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    assert _first_call_is_freeze_support(main)
    spec = SPEC.read_text(encoding="utf-8")
    entry = spec[spec.index("ENTRY.write_text("):]
    assert entry.index("multiprocessing.freeze_support()") < entry.index("from wbc_desktop")


def test_torchscript_sources_are_shipped():
    """torch.jit.script reads a function's source: its package must be collected as .py too."""
    spec = SPEC.read_text(encoding="utf-8")
    scripted = {"torch_geometric"}  # compiles its own functions at import/run time
    for path, tree in _modules():
        if any(True for _ in _calls(tree, "script")) or any(True for _ in _calls(tree, "trace")):
            scripted.add("wbc_desktop")
    for pkg in scripted:
        assert f'"{pkg}": "pyz+py"' in spec, f"{pkg} must be collected with module_collection_mode pyz+py"
