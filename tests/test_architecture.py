"""The structure docs/architecture.md promises, checked: the package map (import-linter's layers
contract in pyproject.toml), no import cycle between any two modules, no oversized module."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 450


def _lint_imports(source_root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the `app` package found under `source_root`."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=source_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_packages_import_only_downwards():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_package_map_check_fails_on_an_upward_import(tmp_path):
    """The contract is not vacuous: one import from core up to reports breaks it."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    text = tmp_path / "app" / "core" / "text.py"
    text.write_text(text.read_text() + "\n\ndef _upward():\n    import app.reports.views  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "app.core.text -> app.reports.views" in result.stdout


def _imported_by(graph: grimp.ImportGraph, module: str):
    return iter(sorted(graph.find_modules_directly_imported_by(module)))


def _strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other in a ring."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, _imported_by(graph, start))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, _imported_by(graph, child)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_module_import_cycles():
    # Imports inside functions and under TYPE_CHECKING count too: a cycle hidden in a function is
    # still a cycle a reader has to untangle.
    graph = grimp.build_graph("app", exclude_type_checking_imports=False)
    # The factory package `app` itself imports every blueprint; it is the top, not part of a ring.
    graph.remove_module("app")
    assert _strongly_connected(graph) == []


def test_cycle_finder_finds_a_ring():
    graph = grimp.ImportGraph()
    for name in ("p.a", "p.b", "p.c", "p.d"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.c", imported="p.d")
    assert _strongly_connected(graph) == [["p.a", "p.b", "p.c"]]


MODULES = sorted((ROOT / "app").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_oversized(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    name = path.relative_to(ROOT)
    assert lines <= MAX_MODULE_LINES, f"{name}: {lines} lines, split it by concept"
