"""What a scorer returns for each paper, and the interface the pipeline needs. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .paper import Paper


@dataclass(frozen=True)
class Neighbour:
    """An entry already on the list that a paper resembles."""

    title: str
    heading: str
    similarity: float


@dataclass(frozen=True)
class Scored:
    """A paper with the classifier's verdict; the reasons are for a reviewer to check quickly."""

    paper: Paper
    relevance: float  # calibrated probability that the paper belongs on the list
    selected: bool  # relevance >= the model's threshold
    heading: str
    runner_up: str
    heading_scores: Mapping[str, float] = field(default_factory=dict)
    nearest: tuple[Neighbour, ...] = ()
    terms: tuple[str, ...] = ()  # the words that weighed most for relevance

    @property
    def why(self) -> str:
        """One short line: the closest entry on the list and the strongest terms."""
        parts = []
        if self.nearest:
            n = self.nearest[0]
            parts.append(f"close to “{_clip(n.title, 70)}” ({n.heading}, {n.similarity:.2f})")
        if self.terms:
            parts.append("terms: " + ", ".join(self.terms[:4]))
        return "; ".join(parts) or "no strong signal"

    def to_json(self) -> dict[str, object]:
        return {
            "arxiv_id": self.paper.arxiv_id,
            "title": self.paper.title,
            "relevance": round(self.relevance, 4),
            "selected": self.selected,
            "heading": self.heading,
            "runner_up": self.runner_up,
            "heading_scores": {k: round(v, 4) for k, v in self.heading_scores.items()},
            "reasons": {
                "nearest": [
                    {"title": n.title, "heading": n.heading, "similarity": round(n.similarity, 3)} for n in self.nearest
                ],
                "terms": list(self.terms),
                "why": self.why,
            },
        }


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Scorer(Protocol):
    """Scores papers against the list it was trained on."""

    @property
    def model_id(self) -> str: ...

    @property
    def threshold(self) -> float: ...

    def score(self, papers: Sequence[Paper]) -> list[Scored]: ...
