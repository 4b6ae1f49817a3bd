"""The package's shape, checked: imports point one way, from the foundations up to the
commands, and no module imports another that (directly or not) imports it back.

Every import counts: at module level, inside functions, and under ``TYPE_CHECKING``
(a reader sees them all). Imports inside one component (``pdkit.store._sql`` of
``pdkit.store._records``) may go any way but round.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pdkit

SRC = Path(pdkit.__file__).parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "_version",
            "_environ",
            "_clock",
            "_process",
            "errors",
            "_said",
            "_imports",
            "_atomic",
            "_memory",
            "_files",
            "i18n",
            "links",
            "charts",
            "suppression",
        }
    ),
    frozenset(
        {
            "definitions",
            "hints",
            "groups",
            "revisions",
            "measures",
            "rounds",
            "pacing",
            "fidelity",
            "followup",
            "evidence",
            "observations",
            "pathways",
            "credentials",
            "badges",
        }
    ),
    frozenset({"store"}),
    frozenset({"widgets", "notebooks", "outreach"}),
    frozenset({"review", "records"}),
    frozenset({"report"}),
    frozenset({"app"}),
    frozenset({"serve", "cli", "testing", "__main__"}),
)
"""Components from the bottom up: a component imports only from its own layer or
below (definitions → store → widgets / notebooks → review → report → app → commands)."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """The pdkit modules ``module`` imports (names resolved to modules where they are)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0] == "pdkit" and t != module)
    return found


def _component(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(component: str) -> int:
    for index, layer in enumerate(LAYERS):
        if component in layer:
            return index
    raise AssertionError(f"pdkit.{component} is in no layer: add it to LAYERS")


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_every_component_has_a_layer() -> None:
    components = {_component(m) for m in MODULES if m != "pdkit"}
    for component in components:
        _layer(component)


def test_imports_point_down() -> None:
    upward = [
        f"{importer} imports {target}"
        for importer, targets in GRAPH.items()
        if importer != "pdkit"
        for target in targets
        if target == "pdkit" or _layer(_component(target)) > _layer(_component(importer))
    ]
    assert upward == []


def test_no_import_circles() -> None:
    """No module reaches itself through the modules it imports (Tarjan's components)."""
    edges = {
        m: {t for t in targets if t in GRAPH and not _is_parent(t, m)}
        for m, targets in GRAPH.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert circles == []


def _is_parent(package: str, module: str) -> bool:
    """A package's face (``__init__``) re-exporting its children is no circle."""
    return module.startswith(package + ".")


def test_no_module_is_too_big_for_one_reader() -> None:
    sizes = {m: len(p.read_text("utf-8").splitlines()) for m, p in MODULES.items()}
    assert {m: n for m, n in sizes.items() if n > 500} == {}
