"""The grader's house: each module imports only from its own layer or the layers below, there is
no import cycle between modules, and the worker's runtime imports nothing but itself, numpy and
the standard library (it is all the grader code a sandboxed worker holds).

The layers, lowest first, are listed in docs/developing.md."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "autograder"
LAYERS = ["runtime", "course", "execution", "grading", "content", "publishing", "classgrading", "cli"]
CONTENT = {"checks", "mistakes"}  # what the course grades: checks and known mistakes, one layer


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str) -> set[str]:
    """The modules of autograder that module `name` imports, anywhere in its body."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in MODULES and c != name}
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:`: imports for annotations only are never
    run, so they make no dependency between modules."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


GRAPH = {name: imported_modules(name) for name in MODULES}


def layer_of(name: str) -> int | None:
    """The index in LAYERS of a module's layer; None for the package's own top modules."""
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in ("__main__",):
        return None
    top = "content" if parts[1] in CONTENT else parts[1]
    assert top in LAYERS, f"{name} sits in no layer: add its folder to LAYERS and docs/developing.md"
    return LAYERS.index(top)


def test_every_module_belongs_to_a_layer():
    for name in MODULES:
        layer_of(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_down_the_layers(name):
    mine = layer_of(name)
    if mine is None:
        return
    for imported in GRAPH[name]:
        theirs = layer_of(imported)
        assert theirs is None or theirs <= mine, (
            f"{name} ({LAYERS[mine]}) imports {imported} ({LAYERS[theirs]}), a higher layer"
        )


def test_there_is_no_import_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name):
        state[name] = 1
        path.append(name)
        for imported in sorted(GRAPH[name]):
            if state.get(imported) == 1:
                cycle = path[path.index(imported) :] + [imported]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if imported not in state:
                visit(imported)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_the_cycle_check_can_fail(monkeypatch):
    monkeypatch.setitem(
        GRAPH, "autograder.runtime.plain", GRAPH["autograder.runtime.plain"] | {"autograder.runtime.wire"}
    )
    with pytest.raises(pytest.fail.Exception, match="import cycle"):
        test_there_is_no_import_cycle()


def test_the_layer_check_can_fail(monkeypatch):
    monkeypatch.setitem(GRAPH, "autograder.grading.numeric", {"autograder.publishing.release"})
    with pytest.raises(AssertionError, match="a higher layer"):
        test_imports_go_down_the_layers("autograder.grading.numeric")


def test_the_runtime_imports_nothing_but_itself_numpy_and_the_standard_library():
    for path in sorted((PACKAGE / "runtime").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1, f"{path.name} imports from outside the runtime package"
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                for module in modules:
                    top = module.split(".")[0]
                    assert top == "numpy" or top in sys.stdlib_module_names, f"{path.name} imports {module}"
