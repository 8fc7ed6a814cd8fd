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
    nearest: tuple[Neighbour, ...] = ()  # the closest entries, then the closest under the top two headings
    terms: tuple[str, ...] = ()  # the words that set the paper apart from the list's typical entry
    # The share of the list's own entries, each scored by a model trained without it, that score
    # below this paper (None: the model keeps no such reference). It tells proposals apart where
    # the calibrated probability is 1.00 for most of them.
    standing: float | None = None
    lead: float = 0.0  # how far past the best of those entries the score is (score points; 0 below it)

    @property
    def why(self) -> str:
        """One short line: the closest entry on the list and the terms that set the paper apart."""
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
            "standing": None if self.standing is None else round(self.standing, 4),
            "lead": round(self.lead, 3),
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
