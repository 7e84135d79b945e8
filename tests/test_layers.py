"""The architecture holds: each package imports only from its layer or below, without
circles; SQL and database connections stay in ``store/``; the front ends reach the store
only through the service's (and the desk's) methods.

Read from the source with ``ast``: TYPE_CHECKING and function-level imports count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import medcite

SRC = Path(medcite.__file__).parent

LAYERS: dict[str, int] = {
    "__main__": 7,
    "cli": 6, "web": 6, "bench": 6,
    "service": 5, "threads": 5,
    "editorial": 4, "answer": 4, "ingest": 4,
    "retrieve": 3,
    "index": 2,
    "store": 1,
    "text": 0, "models": 0, "settings": 0, "settings_origin": 0, "errors": 0, "medcite": 0,
}
"""Top to bottom, as in ARCHITECTURE.md and README's layout: front ends (``cli/``,
``web/``, and ``bench/`` beside them) → ``service`` (``threads`` is its helper) →
``editorial/``, ``answer/``, ``ingest/`` → ``retrieve/`` → ``index/`` → ``store/`` →
``text/``, ``models``, ``settings``, ``errors``. A unit is a subpackage or a top-level
module (``medcite`` is the package's own ``__init__``)."""

SQL_ATTRIBUTES = {"conn", "execute", "executemany", "executescript"}
FRONT_ENDS = {"cli", "web"}

# Still to do (issue 12): remove each entry when its file is done; the test fails on an
# entry that is no longer needed. Kinds: "sql" (runs SQL or holds a connection), "upward"
# (imports a higher layer), "store" (a front end reaches the store).
PENDING: dict[str, set[str]] = {}


def modules() -> dict[str, ast.Module]:
    """Every module under src/medcite, by its path relative to the package."""
    return {p.relative_to(SRC).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(SRC.rglob("*.py"))}


def unit_of_path(rel: str) -> str:
    first = rel.split("/")[0]
    return "medcite" if first == "__init__.py" else first.removesuffix(".py")


def unit_of_module(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "medcite":
        return None
    return parts[1] if len(parts) > 1 else "medcite"


def imported(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def unit_imports(tree: ast.Module) -> set[str]:
    return {u for name in imported(tree) if (u := unit_of_module(name)) is not None}


def violations() -> dict[str, dict[str, list[str]]]:
    """path -> kind -> what breaks the rule, for every module that breaks one."""
    found: dict[str, dict[str, list[str]]] = {}
    for rel, tree in modules().items():
        unit = unit_of_path(rel)
        kinds: dict[str, list[str]] = {}
        upward = sorted(u for u in unit_imports(tree) if LAYERS[u] > LAYERS[unit])
        if upward:
            kinds["upward"] = upward
        if unit != "store":
            sql = sorted({f".{n.attr}" for n in ast.walk(tree)
                          if isinstance(n, ast.Attribute) and n.attr in SQL_ATTRIBUTES})
            if "sqlite3" in imported(tree):
                sql.append("import sqlite3")
            if sql:
                kinds["sql"] = sql
        if unit in FRONT_ENDS:
            lines = sorted({n.lineno for n in ast.walk(tree)
                            if isinstance(n, ast.Attribute) and n.attr == "store"})
            if lines:
                kinds["store"] = [f"line {n}" for n in lines]
        if kinds:
            found[rel] = kinds
    return found


def test_every_unit_has_a_layer() -> None:
    units = {unit_of_path(rel) for rel in modules()}
    assert units <= set(LAYERS), f"add to LAYERS: {sorted(units - set(LAYERS))}"


def test_no_import_circles_between_units() -> None:
    graph: dict[str, set[str]] = {}
    for rel, tree in modules().items():
        unit = unit_of_path(rel)
        targets = unit_imports(tree) - {unit}
        if "upward" in PENDING.get(rel, set()):  # those circles are reported as pending
            targets = {u for u in targets if LAYERS[u] <= LAYERS[unit]}
        graph.setdefault(unit, set()).update(targets)
    circles: list[list[str]] = []
    for start in sorted(graph):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    circles.append([*path, start])
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert circles == []


def test_layers_sql_and_store_access_hold_outside_the_pending_list() -> None:
    broken = {rel: {kind: what for kind, what in kinds.items()
                    if kind not in PENDING.get(rel, set())}
              for rel, kinds in violations().items()}
    assert {rel: kinds for rel, kinds in broken.items() if kinds} == {}


def test_the_pending_list_holds_only_what_is_still_pending() -> None:
    found = violations()
    done = {rel: sorted(kinds - set(found.get(rel, {}))) for rel, kinds in PENDING.items()}
    assert {rel: kinds for rel, kinds in done.items() if kinds} == {}, \
        "remove these from PENDING: they are fixed"


def test_the_checks_see_what_they_look_for() -> None:
    """The checks themselves work: a module with SQL, an upward import and a store reach
    is caught (guards against a check that silently finds nothing)."""
    tree = ast.parse("import sqlite3\nfrom medcite.service import Medcite\n"
                     "def f(s):\n    return s.store.conn.execute('SELECT 1')\n")
    assert unit_imports(tree) == {"service"}
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert {"conn", "execute", "store"} <= attrs
    assert "sqlite3" in imported(tree)
