"""Training data: the examples a model learns from, and the fingerprints that say which data a
model was trained on. Reads paper files (JSON Lines) through paperfile; otherwise pure.

Where training examples come from:
- positives: the list's entries (title, plus abstract/categories from `--metadata`, the
  enrichment cache, or papers the bot proposed itself), under their heading; accepted proposals;
- background: papers seen in the watched categories (paper files, the state database), labels
  ignored; rejected proposals are labelled negatives.

Stored with a model (`training.npz`), the rows keep hashed n-gram counts, term weights and
embeddings instead of text: enough to retrain, not enough to read a paper back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from . import features, listfile
from .errors import UsageError
from .fitting import Example, Fitted
from .listfile import ListDocument
from .paper import Paper
from .paperfile import PaperRow, read_papers
from .ports import Feedback
from .titles import TitleIndex, title_key

# -- fingerprints -------------------------------------------------------------------------------


def list_fingerprint(doc: ListDocument, headings: Sequence[str] = ()) -> str:
    """What the model learned from the list: its entries' titles and headings (not its prose)."""
    wanted = {listfile.heading_key(h) for h in headings}
    lines = sorted(
        f"{listfile.heading_key(e.heading)}\t{title_key(e.title)}"
        for e in doc.target_entries
        if not wanted or listfile.heading_key(e.heading) in wanted
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def feedback_fingerprint(items: Iterable[tuple[str, str, str | None]]) -> str:
    lines = sorted(f"{a}\t{o}\t{h or ''}" for a, o, h in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16] if lines else "none"


# -- examples -----------------------------------------------------------------------------------


def list_examples(doc: ListDocument, known: dict[str, Paper], headings: Sequence[str] = ()) -> list[Example]:
    """One positive per list entry, with the best text known for it (by arXiv id, then title)."""
    wanted = {listfile.heading_key(h) for h in headings}
    by_key = {title_key(p.title): p for p in known.values()}
    out = []
    for entry in doc.target_entries:
        if wanted and listfile.heading_key(entry.heading) not in wanted:
            continue
        paper = next((known[i] for i in sorted(entry.arxiv_ids) if i in known), None)
        paper = paper or by_key.get(title_key(entry.title))
        if paper is None:
            index = TitleIndex([entry.listed()])
            paper = next((p for p in known.values() if index.match(p.arxiv_id, p.title)), None)
        if paper is None:
            paper = Paper(arxiv_id=next(iter(sorted(entry.arxiv_ids)), ""), title=entry.title)
        out.append(Example(replace(paper, title=entry.title), 1, entry.heading, "list"))
    return out


def examples_from_files(
    doc: ListDocument,
    *,
    metadata: Sequence[Path],
    background: Sequence[Path],
    feedback: Sequence[Path],
    headings: Sequence[str] = (),
) -> list[Example]:
    """The list's entries, the reviewed papers of `feedback` and the `background` papers, one
    example per paper (abstracts for list entries from `metadata`)."""
    known: dict[str, Paper] = {}
    for path in metadata:
        for row in read_papers(path):
            key = row.paper.arxiv_id or f"title:{title_key(row.paper.title)}"
            known[key] = row.paper
    examples = list_examples(doc, known, headings)
    index = TitleIndex(doc.listed())
    reviewed: set[str] = set()
    for path in feedback:
        for row in read_papers(path):
            ex = _feedback_example(row, where=str(path))
            if ex is not None and not index.match(row.paper.arxiv_id, row.paper.title):
                examples.append(ex)
                reviewed.add(row.paper.arxiv_id or title_key(row.paper.title))
    for path in background:
        for row in read_papers(path):
            p = row.paper
            if row.replacement or index.match(p.arxiv_id, p.title) or (p.arxiv_id or title_key(p.title)) in reviewed:
                continue
            examples.append(Example(p, 0, None, "background", day=_day(p)))
    return _dedupe(examples)


def _day(p: Paper) -> str:
    return p.announced.isoformat() if p.announced else ""


def _feedback_example(row: PaperRow, where: str) -> Example | None:
    if row.label == "relevant":
        if not row.section:
            raise UsageError(f"{where}: relevant paper {row.paper.arxiv_id or row.paper.title!r} has no section")
        return Example(row.paper, 1, row.section, "accepted", day=_day(row.paper))
    if row.label == "irrelevant":
        return Example(row.paper, 0, None, "rejected", day=_day(row.paper))
    return None  # uncertain or unlabelled rows teach nothing here


def _dedupe(examples: list[Example]) -> list[Example]:
    """One example per paper; a labelled one (list, review) wins over background."""
    rank = {"list": 0, "accepted": 1, "rejected": 1, "background": 2}
    best: dict[str, Example] = {}
    anonymous: list[Example] = []
    for e in examples:
        key = e.paper.arxiv_id
        if not key:
            anonymous.append(e)
        elif key not in best or rank[e.kind] < rank[best[key].kind]:
            best[key] = e
    return list(best.values()) + anonymous


# -- stored rows ----------------------------------------------------------------------------------


def training_rows(fitted: Fitted) -> dict[str, np.ndarray]:
    """The training rows without text: hashed n-gram counts, keyword weights, gate, embeddings
    where computed, labels and keys. Enough to retrain; not enough to read a paper back."""
    d = fitted.data
    ex = d.examples
    counts = d.counts.tocsr()
    return {
        "counts_data": np.minimum(counts.data, np.iinfo(np.uint16).max).astype(np.uint16),
        "counts_indices": counts.indices.astype(np.int32),
        "counts_indptr": counts.indptr.astype(np.int64),
        "label": d.y.astype(np.int8),
        "kind": np.array([e.kind for e in ex], dtype=np.str_),
        "heading": np.array([e.heading or "" for e in ex], dtype=np.str_),
        "key": np.array([e.paper.arxiv_id or f"title:{title_key(e.paper.title)}" for e in ex], dtype=np.str_),
        "title_key": np.array([title_key(e.paper.title) if e.label == 1 else "" for e in ex], dtype=np.str_),
        "day": d.days.astype(np.str_),
        "facets": d.facets.astype(np.float32),
        "profile": np.array(d.profile.fingerprint),
        "passes": d.passes,
        "weight": d.w.astype(np.float32),
        "has_embedding": d.has_emb,
        "embeddings": d.emb[d.has_emb].astype(np.float16),
    }


def stored_profile(rows: dict[str, np.ndarray]) -> str:
    """The fingerprint of the profile the rows' facet weights and gate were computed with."""
    return str(rows["profile"])


def stored_examples(rows: dict[str, np.ndarray]) -> list[Example]:
    """Training rows back as (text-less) Examples; positives carry their title key as title."""
    n = len(rows["label"])
    counts = sp.csr_matrix(
        (rows["counts_data"].astype(np.float32), rows["counts_indices"], rows["counts_indptr"]),
        shape=(n, features.N_FEATURES),
    )
    emb_rows = iter(rows["embeddings"].astype(np.float32))
    out = []
    for i in range(n):
        key = str(rows["key"][i])
        paper = Paper(arxiv_id="" if key.startswith("title:") else key, title=str(rows["title_key"][i]))
        out.append(
            Example(
                paper,
                int(rows["label"][i]),
                str(rows["heading"][i]) or None,
                str(rows["kind"][i]),
                float(rows["weight"][i]),
                day=str(rows["day"][i]),
                counts=counts[i],
                embedding=next(emb_rows) if rows["has_embedding"][i] else None,
                facets=tuple(float(v) for v in rows["facets"][i]),
                gated=bool(rows["passes"][i]),
                stored=True,
            )
        )
    return out


def retraining_examples(
    doc: ListDocument,
    *,
    stored: Sequence[Example],
    seen: Sequence[Paper],
    reviews: Sequence[Feedback],
    enriched: Sequence[Paper] = (),
    headings: Sequence[str] = (),
) -> list[Example]:
    """What the daily run retrains on: the list as it is now (a stored row stands in for an
    entry nobody found an abstract for), the reviews as they are now, the base model's other
    rows, and the papers the state database has seen as background."""
    by_id = {p.arxiv_id: p for p in seen}
    known = dict(by_id)
    known.update({p.arxiv_id: p for p in enriched})  # abstracts `watcher enrich` found for list entries
    positives = _positives_with_rows(doc, known, stored, headings)
    listed = TitleIndex(doc.listed())
    verdicts = {f.arxiv_id: f for f in reviews}
    examples = list(positives)
    for f in verdicts.values():
        paper = by_id.get(f.arxiv_id) or Paper(f.arxiv_id, f.title)
        if listed.match(f.arxiv_id, paper.title):
            continue  # accepted and on the list: already a positive under its current heading
        if f.outcome == "rejected":
            examples.append(Example(paper, 0, None, "rejected", day=_day(paper)))
        elif f.heading:
            examples.append(Example(paper, 1, f.heading, "accepted", day=_day(paper)))
    taken = {e.paper.arxiv_id for e in examples if e.paper.arxiv_id}
    for e in stored:  # the base model's non-list rows: background and the reviews it was trained with
        if e.kind != "list" and e.paper.arxiv_id not in taken and e.paper.arxiv_id not in verdicts:
            examples.append(e)
            taken.add(e.paper.arxiv_id)
    for arxiv_id, paper in by_id.items():
        if arxiv_id not in taken and arxiv_id not in verdicts and not listed.match(arxiv_id, paper.title):
            examples.append(Example(paper, 0, None, "background", day=_day(paper)))
    return examples


def _positives_with_rows(
    doc: ListDocument, known: dict[str, Paper], stored: Sequence[Example], headings: Sequence[str]
) -> list[Example]:
    """List entries as positives; an entry the stored rows know (by title key) reuses its row."""
    rows = {e.paper.title: e for e in stored if e.label == 1 and e.kind == "list"}
    out = []
    for ex in list_examples(doc, known, headings):
        row = rows.get(title_key(ex.paper.title))
        if row is not None and not ex.paper.abstract:
            ex = Example(
                ex.paper,
                1,
                ex.heading,
                "list",
                counts=row.counts,
                embedding=row.embedding,
                facets=row.facets,
                gated=row.gated,
                stored=True,
            )
        out.append(ex)
    return out
