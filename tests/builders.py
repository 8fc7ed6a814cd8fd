"""Factories the tests share: papers from the shared data's JSON rows, scored papers, and config
files built from the project's defaults with checked overrides."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from watcher.config import Settings
from watcher.paper import Paper
from watcher.profile import Profile
from watcher.scoring import Neighbour, Scored


def paper_of(row: Mapping[str, Any]) -> Paper:
    """A paper from a row of pool-dev.jsonl or seed-enriched.jsonl."""
    return Paper(
        row.get("arxiv_id") or "",
        " ".join(str(row["title"]).split()),
        " ".join((row.get("abstract") or "").split()),
        categories=tuple(row.get("categories") or ()),
    )


def scored(
    arxiv_id: str,
    title: str,
    *,
    heading: str = "multi-task",
    runner_up: str = "multi-task",
    relevance: float = 0.9,
    heading_scores: Mapping[str, float] | None = None,
    day: date | None = None,
    abstract: str = "abstract",
    nearest: Sequence[Neighbour] = (Neighbour("Qwen2-Audio Technical Report", "multi-task", 0.66),),
    terms: Sequence[str] = ("speech llm", "asr"),
    authors: str = "",
    standing: float | None = None,
    lead: float = 0.0,
) -> Scored:
    """A proposed paper as the classifier would hand it over."""
    return Scored(
        Paper(arxiv_id, title, abstract, authors=authors, announced=day),
        relevance,
        True,
        heading,
        runner_up,
        dict(heading_scores) if heading_scores is not None else {heading: 0.7, runner_up: 0.2},
        tuple(nearest),
        tuple(terms),
        standing,
        lead,
    )


# -- config files -------------------------------------------------------------------------------


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _tables() -> dict[str, set[str]]:
    hints = typing.get_type_hints(Settings)
    return {
        f.name: {g.name for g in dataclasses.fields(hints[f.name])}
        for f in dataclasses.fields(Settings)
        if dataclasses.is_dataclass(hints.get(f.name))
    }


def config_text(tables: Mapping[str, Mapping[str, Any]]) -> str:
    """TOML for `tables`; an unknown table or key is a test bug and fails here, not silently."""
    known = _tables()
    lines: list[str] = []
    for table, values in tables.items():
        if table not in known:
            raise KeyError(f"no [{table}] table in the config (tables: {', '.join(sorted(known))})")
        unknown = set(values) - known[table]
        if unknown:
            raise KeyError(f"[{table}] has no key {sorted(unknown)[0]!r} (keys: {', '.join(sorted(known[table]))})")
        lines.append(f"[{table}]")
        lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def merged(
    base: Mapping[str, Mapping[str, Any]], overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    out = {table: dict(values) for table, values in base.items()}
    for table, values in overrides.items():
        out.setdefault(table, {}).update(values)
    return out


def seed_profile() -> Profile:
    """The profile this project ships for the seed list (config.toml [profile])."""
    from watcher.config import load_settings

    root = Path(__file__).resolve().parents[1]
    return Profile().overridden_by(load_settings(root / "config.toml").profile.as_mapping())
