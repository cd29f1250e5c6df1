"""The structure the README promises, checked from the code's own imports and syntax.

`bot/` is in layers that only import downwards; Telegram is spoken only by the adapter (and the
sandbox, which stands in for Telegram); SQL only by storage; every button's callback data is built
and parsed by the one codec; no module grows past 400 lines. A new import that breaks the layering
fails here with the module and the import named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage", "knowledge")
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.domain", "bot.fonts"),
    ("bot.messages", "bot.callbacks", "bot.texts"),
    ("knowledge",),
    ("bot.config", "bot.config_inspections", "bot.config_dashboard", "storage"),
    ("bot.services",),
    ("bot.conversation",),
    ("bot.telegram", "bot.dashboard"),
    ("bot.runtime",),
    ("bot.cli", "bot.sandbox"),
)
"""Bottom first: a module may import from its own layer or the ones below it, never from above."""
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in the file, those inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's own package, `level - 1` packages up
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield node.lineno, base
            for alias in node.names:  # `from bot.conversation import reporter` imports a module
                if f"{base}.{alias.name}" in MODULES:
                    yield node.lineno, f"{base}.{alias.name}"


def _layer(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _local(module: str) -> str | None:
    """The project module an import names (the longest known prefix), or None for a library."""
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


GRAPH = {name: {_local(target) for _, target in _imports(path)} - {None, name} for name, path in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    assert [name for name in MODULES if name != "bot" and _layer(name) is None] == []


def test_imports_only_go_down() -> None:
    upward = []
    for name, path in MODULES.items():
        rank = _layer(name)
        for line, target in _imports(path):
            local = _local(target)
            if local is None or local == "bot" or rank is None:
                continue
            target_rank = _layer(local)
            if target_rank is not None and target_rank > rank:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {local} (a higher layer)")
    assert upward == []


def test_no_import_cycle() -> None:
    """Tarjan's strongly connected components over the module graph: every component is one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in GRAPH.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize(("library", "allowed"), [
    ("telegram", ("bot.telegram", "bot.sandbox")),
    ("sqlite3", ("storage",)),
    ("aiohttp", ("bot.telegram", "bot.dashboard", "bot.sandbox")),
])
def test_libraries_stay_in_their_layer(library: str, allowed: tuple[str, ...]) -> None:
    leaks = [f"{path.relative_to(ROOT)}:{line}" for name, path in MODULES.items()
             for line, target in _imports(path)
             if (target == library or target.startswith(library + "."))
             and not any(name == a or name.startswith(a + ".") for a in allowed)]
    assert leaks == []


def test_callback_data_is_built_by_the_codec_only() -> None:
    """Every Button's data is `SomeCallback(...).pack()`: no hand-made "t:…:accept" strings anywhere
    (bot.messages only restores buttons stored in the outbox, packed when they were made)."""
    hand_made = []
    for name, path in MODULES.items():
        if name in ("bot.callbacks", "bot.messages"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Button":
                data = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "data"), None)
                packed = isinstance(data, ast.Call) and getattr(data.func, "attr", None) == "pack"
                if not packed:
                    hand_made.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert hand_made == []


def test_callback_data_is_parsed_by_the_codec_only() -> None:
    """Where the handlers are, nobody splits a button's data by hand: the codec's types are matched."""
    parsers = [f"{path.relative_to(ROOT)}:{line}" for name, path in MODULES.items()
               if name.startswith(("bot.conversation", "bot.services", "bot.telegram"))
               for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if 'split(":")' in text or "partition(\":\")" in text]
    assert parsers == []


def test_roles_are_decided_by_the_permission_table_only() -> None:
    """A handler asks the table (`refused`, `allowed`); comparing roles by hand is what drifted before."""
    by_hand = [f"{path.relative_to(ROOT)}:{line}" for name, path in MODULES.items()
               if name not in ("bot.domain.permissions", "bot.services.deployment")
               for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if "Role." in text]
    assert by_hand == []


def test_no_product_module_over_400_lines() -> None:
    long = {str(path.relative_to(ROOT)): n for path in MODULES.values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
