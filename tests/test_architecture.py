"""The package's shape: imports run one way, from the command line down to the pure core, and no
module imports another that (directly or not) imports it back. Lazy imports inside functions
count too: a cycle hidden in a function is still a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "watcher"

# Top to bottom. A module may import modules of its own layer or of a layer below it.
LAYERS: list[tuple[str, set[str]]] = [
    ("command line", {"__main__", "cli"}),
    ("commands", {"commands", "daemon", "ghaction"}),
    ("builder", {"build"}),
    ("orchestrator", {"pipeline"}),
    (
        "adapters and the model store",
        {
            "arxiv_api",
            "artifact",
            "download",
            "dryrun",
            "embedding",
            "enrich",
            "evaluation",
            "feeds",
            "github_pr",
            "model_store",
            "paperfile",
            "slack_notify",
            "sources",
            "state",
            "training_data",
            "workflow",
        },
    ),
    (
        "pure core",
        {
            "__init__",
            "arxiv_calendar",
            "backtest",
            "checks",
            "classifier",
            "codelinks",
            "config",
            "entryfields",
            "errors",
            "features",
            "fitting",
            "glance",
            "listedit",
            "listfile",
            "liststyle",
            "onboarding",
            "paper",
            "ports",
            "profile",
            "profiling",
            "proposal",
            "report",
            "review",
            "scoring",
            "summary",
            "titles",
            "tokens",
            "venue_updates",
            "venues",
        },
    ),
]


def _imports(path: Path) -> set[str]:
    """The package modules `path` imports, wherever in the file the import is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found |= {a.name for a in node.names}
            elif node.module and node.module.split(".")[0] == "watcher":
                parts = node.module.split(".")
                found |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("watcher.")}
    return (found & MODULES) - {path.stem}


MODULES = {p.stem for p in PACKAGE.glob("*.py")}


def graph() -> dict[str, set[str]]:
    return {p.stem: _imports(p) for p in sorted(PACKAGE.glob("*.py"))}


def test_every_module_has_a_layer() -> None:
    placed = [m for _, mods in LAYERS for m in mods]
    assert sorted(placed) == sorted(graph()), "place every module of watcher/ in exactly one layer"


def test_imports_run_one_way() -> None:
    layer = {m: i for i, (_, mods) in enumerate(LAYERS) for m in mods}
    upward = [
        f"{m} ({LAYERS[layer[m]][0]}) imports {t} ({LAYERS[layer[t]][0]})"
        for m, targets in graph().items()
        for t in sorted(targets)
        if layer[t] < layer[m]
    ]
    assert upward == []


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for t in sorted(g.get(m, ())):
            if state.get(t) == 1:
                return [*path[path.index(t) :], t]
            if t not in state and (cycle := visit(t)):
                return cycle
        path.pop()
        state[m] = 2
        return None

    for m in sorted(g):
        if m not in state and (cycle := visit(m)):
            return cycle
    return None


def test_no_import_cycle() -> None:
    assert find_cycle(graph()) is None


def test_the_cycle_finder_finds_a_hidden_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_lazy_imports_count(tmp_path: Path) -> None:
    module = tmp_path / "x.py"
    module.write_text(
        "from . import __version__\ndef f():\n    from . import build\n    from .pipeline import run_day\n"
    )
    assert _imports(module) == {"build", "pipeline"}
