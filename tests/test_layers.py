"""The package's import layers: data flows one way, and no module imports itself in a circle.

Each subpackage may import only the packages below it (the README's "How it
works" map lists them in this order). Imports inside functions (kept lazy so
the command line starts fast) count too; ``if TYPE_CHECKING`` blocks count
only for the layers.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "storyfuse"

# Who may import whom. ``storyfuse`` is the package root (its ``__version__``).
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "processes": set(),
    "text": {"models"},
    "sources": {"models", "text"},
    "stories": {"models", "text"},
    "pipeline": {"models", "text", "sources", "stories"},
    "render": {"models", "stories"},
    "store": {"models", "stories"},
    "ingestion": {"models", "processes", "text", "sources", "stories", "pipeline", "store"},
    "evaluation": {"models", "text", "sources", "stories", "pipeline"},
    "web": {"models", "text", "sources", "stories", "pipeline", "render", "store", "ingestion"},
    "batch": {"models", "processes", "text", "sources", "stories", "pipeline", "render", "store"},
    "cli": {
        "models",
        "text",
        "sources",
        "stories",
        "pipeline",
        "render",
        "store",
        "ingestion",
        "evaluation",
        "web",
        "batch",
    },
    "__main__": {"cli"},  # python -m storyfuse: the command line, above everything
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "storyfuse"


def _imports(tree: ast.Module, top_level_only: bool) -> set[str]:
    found: set[str] = set()
    nodes = (
        [node for node in tree.body if not isinstance(node, ast.If)]
        if top_level_only
        else list(ast.walk(tree))
    )
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("storyfuse"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("storyfuse"))
    return found


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_every_package_imports_only_the_layers_below_it() -> None:
    modules = _modules()
    assert {_layer(name) for name in modules} - {"storyfuse"} <= set(ALLOWED), "a new package"
    wrong = []
    for name, tree in modules.items():
        layer = _layer(name)
        if layer == "storyfuse":
            continue
        for imported in _imports(tree, top_level_only=False):
            target = _layer(imported)
            if target not in {layer, "storyfuse"} and target not in ALLOWED[layer]:
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_no_module_imports_itself_in_a_circle() -> None:
    modules = _modules()
    graph: defaultdict[str, set[str]] = defaultdict(set)
    for name, tree in modules.items():
        for imported in _imports(tree, top_level_only=True):
            target = imported if imported in modules else imported.rsplit(".", 1)[0]
            if target in modules and target != name:
                graph[name].add(target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[str] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(modules):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_init_files_of_subpackages_only_re_export() -> None:
    for path in PACKAGE.glob("*/__init__.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            is_all = isinstance(node, ast.Assign) and all(
                isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
            )
            assert is_docstring or is_all or isinstance(node, ast.ImportFrom), (path, node.lineno)
