"""Draw wbc_desktop's import graph by concept and check it has no loop.

Run from the repository root: ``.venv/bin/python scripts/import_graph.py [--write]``. It builds the
module graph with grimp (import-linter's own engine, so ``TYPE_CHECKING`` imports count), folds it
to one node per concept (``cli``, ``gui``, each ``core`` subpackage and top module), prints a
Mermaid drawing and the import cycles found between modules (strongly connected components).
``--write`` puts the drawing into ``docs/architecture.md`` between its markers. Exit status 1 when
a cycle exists, so it can run beside ``lint-imports``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
SHARED = {"core.analysis", "core.errors", "core.progress", "core.device"}  # used by all: left out of the drawing
START, END = "<!-- import-graph:start -->", "<!-- import-graph:end -->"


def concept(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "core":
        return "core." + parts[2]
    return parts[1] if len(parts) >= 2 else parts[0]


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    mods = sorted(graph.modules)
    succ = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules) for m in mods}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in mods:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on.add(v)
            recurse = False
            for j in range(i, len(succ[v])):
                w = succ[v][j]
                if w not in index:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    return out


def mermaid(graph: grimp.ImportGraph) -> str:
    edges = set()
    for m in graph.modules:
        a = concept(m)
        for i in graph.find_modules_directly_imported_by(m):
            b = concept(i)
            if a != b and (b.startswith("core.") or b == "gui") and b not in SHARED and a not in SHARED:
                edges.add((a, b))
    lines = ["```mermaid", "flowchart TD"]
    lines += [f"  {a.replace('.', '_')}[{a}] --> {b.replace('.', '_')}[{b}]" for a, b in sorted(edges)]
    lines.append("```")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    graph = grimp.build_graph("wbc_desktop")
    drawing = mermaid(graph)
    loops = cycles(graph)
    print(drawing)
    print(f"{len(graph.modules)} modules; import cycles between modules: {len(loops)}")
    for c in loops:
        print("  cycle:", " <-> ".join(c))
    if "--write" in argv:
        doc = ROOT / "docs" / "architecture.md"
        text = doc.read_text(encoding="utf-8")
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        summary = f"{len(graph.modules)} modules, {len(loops)} import cycles between them."
        doc.write_text(f"{head}{START}\n{drawing}\n\n{summary}\n{END}{tail}", encoding="utf-8")
    return 1 if loops else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
