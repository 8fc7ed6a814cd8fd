"""A list's profile: the vocabulary that says what the list is about. Pure: no I/O.

A profile is learned from the list by `watcher train` (profiling.py), stored in the model, and
can be replaced or extended in config (`[profile]`). It holds:

- facets: groups of terms the list is about *at once* (a paper of a speech-LLM list names
  speech and language models). The keyword score is the product of the facets' term weights,
  which a linear model over words cannot express;
- the gate: a paper with none of its terms and none of its categories is never proposed (and
  never embedded);
- cue words per heading, which nudge the heading towards the one they name;
- `require` / `exclude`: a paper must name one of `require` (when set) and none of `exclude`.

A term is a word or phrase, lower case. It matches whole words: `asr` does not match "vasr".
Terms joined by ` + ` must all appear in one sentence (`evaluat* + survey*`).
`speech*` also matches words that begin with it ("speeches"), `*bench` words that end with it
("dynabench"), `*prosod*` any text containing it. A space matches spaces, a hyphen a hyphen
(`text-to-speech`). `^0.5` after a term gives it a weight (default 1). A paper's title counts
twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

FACET_CAP = 6.0  # a facet's weight counts up to this: a dozen synonyms do not outweigh the others
CUE_ABSTRACT_WEIGHT = 0.3  # a cue word in the abstract counts this much of one in the title
_PART = re.compile(r"^\*?[a-z0-9][a-z0-9 .'/&-]*?\*?$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WEIGHT = re.compile(r"^(.*?)\^([0-9]*\.?[0-9]+)$")


class TermError(ValueError):
    """A term that is not of the form `word`, `phrase of words`, `prefix*`, `*suffix`, `term^0.5`."""


@dataclass(frozen=True)
class Term:
    text: str  # as written, without the weight: "speech", "large language model", "gpt*", "*bench"
    weight: float = 1.0

    @classmethod
    def parse(cls, raw: str) -> Term:
        text, weight = raw.strip().lower(), 1.0
        if m := _WEIGHT.match(text):
            text, weight = m[1].strip(), float(m[2])
        parts = [" ".join(part.split()) for part in text.split(" + ")]
        if not all(_PART.match(part) and part.strip("*") for part in parts):
            raise TermError(
                f"{raw!r} is not a term (a word or phrase, optionally with * at either end, terms joined "
                "by ' + ' that must all appear, and ^weight)"
            )
        return cls(" + ".join(parts), weight)

    def __str__(self) -> str:
        return self.text if self.weight == 1.0 else f"{self.text}^{self.weight:g}"

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        out = []
        for part in self.text.split(" + "):
            words = [re.escape(w) for w in part.strip("*").split()]
            start = "" if part.startswith("*") else r"(?<![a-z0-9])"
            end = "" if part.endswith("*") else r"(?![a-z0-9])"
            out.append(re.compile(start + r"\s+".join(words) + end))
        return tuple(out)

    @cached_property
    def needles(self) -> tuple[str, ...]:
        """A word of each part that any match contains verbatim: a cheap test before the regex."""
        return tuple(max(part.strip("*").split(), key=len) for part in self.text.split(" + "))

    def found_in(self, text: str) -> bool:
        if not all(n in text for n in self.needles):
            return False
        if len(self.patterns) == 1:
            return self.patterns[0].search(text) is not None
        return any(all(p.search(s) for p in self.patterns) for s in _SENTENCE_END.split(text))

    def found_in_each(self, texts: Sequence[str]) -> list[int]:
        """The indexes of the `texts` the term is found in (as found_in; the verbatim-word test
        runs over all texts first, so the regex sees only the few that could match)."""
        needles = self.needles
        if len(needles) == 1:
            n = needles[0]
            maybe = [i for i, t in enumerate(texts) if n in t]
            if self.text == f"*{n}*":  # "any text containing it": the verbatim test is the answer
                return maybe
        else:
            maybe = [i for i, t in enumerate(texts) if all(n in t for n in needles)]
        return [i for i in maybe if self.found_in(texts[i])]

    def match(self, text: str) -> str | None:
        """What the term found in `text` (its first part's words), or None."""
        if not self.found_in(text):
            return None
        first = self.patterns[0].search(text)
        return first[0] if first else None


def terms(raw: Sequence[str]) -> tuple[Term, ...]:
    return tuple(Term.parse(r) for r in raw)


def _weight(text: str, found: Sequence[Term]) -> float:
    return sum(t.weight for t in found if t.found_in(text))


def _lower(title: str, abstract: str) -> tuple[str, str]:
    return title.lower(), abstract.lower()


@dataclass(frozen=True)
class Profile:
    facets: tuple[tuple[Term, ...], ...] = ()
    gate: tuple[Term, ...] = ()
    categories: tuple[str, ...] = ()  # arXiv categories that pass the gate on their own
    cues: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)  # heading -> cue words
    require: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    source: str = "learned"  # "learned" by watcher train, "config", or "learned + config"

    # -- scoring ------------------------------------------------------------------------------

    def facet_weights(self, title: str, abstract: str) -> tuple[float, ...]:
        """Each facet's weight in the paper (the title counts twice)."""
        t, a = _lower(title, abstract)
        return tuple(2 * _weight(t, f) + _weight(a, f) for f in self.facets)

    def facet_weights_each(self, papers: Sequence[tuple[str, str]]) -> list[tuple[float, ...]]:
        """facet_weights of many (title, abstract) pairs at once: the same numbers, found term by
        term over all the papers (training computes them for thousands of papers per fold)."""
        titles = [t.lower() for t, _ in papers]
        abstracts = [a.lower() for _, a in papers]
        out: list[list[float]] = [[] for _ in papers]
        for facet in self.facets:
            in_title = [0.0] * len(papers)
            in_abstract = [0.0] * len(papers)
            for term in facet:  # summed in the facet's order, as _weight sums them
                for i in term.found_in_each(titles):
                    in_title[i] += term.weight
                for i in term.found_in_each(abstracts):
                    in_abstract[i] += term.weight
            for i in range(len(papers)):
                out[i].append(2 * in_title[i] + in_abstract[i])
        return [tuple(w) for w in out]

    def passes_each(
        self, papers: Sequence[tuple[str, str]], categories: Sequence[Sequence[str]], weights: Sequence[Sequence[float]]
    ) -> list[bool]:
        """passes() of many papers at once: the same answers, each term looked for over all of them."""
        n = len(papers)
        titles = [t.lower() for t, _ in papers]
        abstracts = [a.lower() for _, a in papers]

        def naming(terms: Sequence[Term], among: Sequence[int]) -> set[int]:
            found: set[int] = set()
            for term in terms:
                rest = [i for i in among if i not in found]
                if not rest:
                    break
                for texts in (titles, abstracts):
                    found |= {rest[k] for k in term.found_in_each([texts[i] for i in rest])}
            return found

        everyone = list(range(n))
        ok = set(everyone) - naming(self.exclude, everyone) if self.exclude else set(everyone)
        if self.require:
            ok &= naming(self.require, sorted(ok))
        if self.facets or self.gate or self.categories:
            cats = set(self.categories)
            gated = {i for i in ok if (weights[i] and weights[i][0] > 0) or cats.intersection(categories[i])}
            gated |= naming(self.gate, sorted(ok - gated))
            ok = gated
        return [i in ok for i in everyone]

    @staticmethod
    def keyword_score(weights: Sequence[float]) -> float:
        """High only when every facet is present: the product of the capped facet weights."""
        if not weights:
            return 0.0
        product = 1.0
        for w in weights:
            product *= min(w, FACET_CAP)
        return product + 0.01 * sum(weights)

    def passes(self, title: str, abstract: str, categories: Sequence[str], weights: Sequence[float]) -> bool:
        """Could this paper belong at all? It names a gate term or a facet-one term, or is in one
        of the profile's categories, and it obeys `require` and `exclude`."""
        t, a = _lower(title, abstract)
        if self.exclude and any(x.found_in(t) or x.found_in(a) for x in self.exclude):
            return False
        if self.require and not any(x.found_in(t) or x.found_in(a) for x in self.require):
            return False
        if not self.facets and not self.gate and not self.categories:
            return True  # nothing to gate on
        if weights and weights[0] > 0:
            return True
        if set(self.categories).intersection(categories):
            return True
        return any(g.found_in(t) or g.found_in(a) for g in self.gate)

    def cue_scores(self, title: str, abstract: str, headings: Sequence[str]) -> list[float]:
        """Per heading: the weight of its strongest cue word in the title, else a share of the
        strongest in the abstract (0 for headings without cues)."""
        t, a = _lower(title, abstract)
        by_key = {h.casefold(): cues for h, cues in self.cues.items()}
        out = []
        for heading in headings:
            cues = by_key.get(heading.casefold(), ())
            in_title = max((c.weight for c in cues if c.found_in(t)), default=0.0)
            in_abstract = max((c.weight for c in cues if c.found_in(a)), default=0.0)
            out.append(in_title if in_title else CUE_ABSTRACT_WEIGHT * in_abstract)
        return out

    def matched(self, title: str, abstract: str, limit: int = 6) -> list[str]:
        """The facet terms a paper names, for a reviewer's "why"."""
        text = f"{title} {abstract}".lower()
        out: list[str] = []
        for facet in self.facets:
            for term in facet:
                if (found := term.match(text)) and found not in out:
                    out.append(found)
        return out[:limit]

    # -- persistence and config -------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "facets": [[str(t) for t in f] for f in self.facets],
            "gate": [str(t) for t in self.gate],
            "categories": list(self.categories),
            "cues": {h: [str(t) for t in c] for h, c in self.cues.items()},
            "require": [str(t) for t in self.require],
            "exclude": [str(t) for t in self.exclude],
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            facets=tuple(terms(f) for f in data.get("facets", ())),
            gate=terms(data.get("gate", ())),
            categories=tuple(data.get("categories", ())),
            cues={str(h): terms(c) for h, c in dict(data.get("cues", {})).items()},
            require=terms(data.get("require", ())),
            exclude=terms(data.get("exclude", ())),
            source=str(data.get("source", "learned")),
        )

    @property
    def fingerprint(self) -> str:
        """What the keyword score and the gate depend on (a change means: retrain from text)."""
        core = {k: v for k, v in self.to_json().items() if k in ("facets", "gate", "categories")}
        return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]

    def overridden_by(self, config: Mapping[str, Any]) -> Profile:
        """This profile with the keys the config sets replaced (`facets`, `gate`, `categories`,
        a heading's `cues`) and its `require` / `exclude` rules."""
        if not any(config.get(k) for k in ("facets", "gate", "categories", "cues", "require", "exclude")):
            return self
        cues = dict(self.cues)
        cues.update({h: terms(c) for h, c in dict(config.get("cues") or {}).items()})
        return Profile(
            facets=tuple(terms(f) for f in config["facets"]) if config.get("facets") else self.facets,
            gate=terms(config["gate"]) if config.get("gate") else self.gate,
            categories=tuple(config["categories"]) if config.get("categories") else self.categories,
            cues=cues,
            require=terms(config.get("require") or ()),
            exclude=terms(config.get("exclude") or ()),
            source="config" if config.get("facets") else self.source.removesuffix(" + config") + " + config",
        )

    def describe(self, per_facet: int = 12) -> list[str]:
        """The profile in a few lines, for `watcher train` and `watcher init`."""
        lines = [f"profile ({self.source}):"]
        for i, facet in enumerate(self.facets, 1):
            shown = ", ".join(str(t) for t in facet[:per_facet]) + (" ..." if len(facet) > per_facet else "")
            lines.append(f"  facet {i} ({len(facet)} terms): {shown}")
        if self.gate:
            lines.append(f"  gate also lets through: {', '.join(str(t) for t in self.gate[:per_facet])}")
        if self.categories:
            lines.append(f"  categories that pass the gate: {', '.join(self.categories)}")
        for heading, cues in self.cues.items():
            if cues:
                lines.append(f"  cue words for {heading!r}: {', '.join(str(t) for t in cues[:8])}")
        if self.require:
            lines.append(f"  a paper must name one of: {', '.join(map(str, self.require))}")
        if self.exclude:
            lines.append(f"  a paper naming any of these is never proposed: {', '.join(map(str, self.exclude))}")
        return lines
