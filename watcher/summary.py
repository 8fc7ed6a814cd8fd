"""The run report as a Markdown table for the GitHub Actions job summary. Pure rendering."""

from __future__ import annotations

from . import glance
from .report import RunReport


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def job_summary(report: RunReport) -> str:
    c = report.counts
    day = report.announced.isoformat() if report.announced else "–"
    status = "dry run" if report.dry_run else ("✅ ok" if report.ok else "❌ failed")
    new = c["kept"] - c["already_listed"] - c["already_seen"]
    rows = [
        ("announcement day", day),
        ("status", status),
        ("fetched", str(c["fetched"])),
        ("new (after announce-type filter and dedupe)", str(max(new, 0))),
        ("already listed", str(c["already_listed"])),
        ("already seen", str(c["already_seen"])),
        ("scored", str(c["scored"])),
        ("proposed", str(c["proposed"])),
        ("carried over from earlier runs", str(c["carried_over"])),
        ("pull request", f"[{report.pr_url}]({report.pr_url})" if report.pr_url else "–"),
        ("model", _cell(report.model or "–")),
    ]
    if "venues_checked" in c:  # the weekly venue check ran
        rows.insert(
            -2, ("venue updates proposed (listed papers checked)", f"{c['venues_proposed']} ({c['venues_checked']})")
        )
    if c["missed_days"]:
        rows.insert(2, ("missed announcement days", str(c["missed_days"])))
    lines = [f"## watcher {report.command}", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    if report.targets:
        lines += ["", "### Deliveries", "", "| target | papers delivered | reference |", "|---|---|---|"]
        for t in report.targets.values():
            where = f"[{_cell(t.ref or t.url or '')}]({t.url})" if t.url else _cell(t.ref or "–")
            lines.append(f"| {_cell(t.label)} | {len(t.delivered)} | {where} |")
    for note in report.notes:
        lines.append(f"\n> {_cell(note)}")
    if report.failures:
        lines += ["", "### Failures", "", "| step | reason |", "|---|---|"]
        lines += [f"| {_cell(f.step)} | {_cell(f.message)} |" for f in report.failures]
    if report.proposals:
        lines += ["", "### Proposed today", "", "| paper | heading | score |", "|---|---|---|"]
        lines += [
            f"| [{_cell(s.paper.title)[:120]}](https://arxiv.org/abs/{s.paper.arxiv_id}) | {_cell(s.heading)} "
            f"| {glance.Score(s.standing, s.lead, s.relevance).words} |"
            for s in report.proposals
        ]
    if report.venue_updates:
        lines += ["", "### Venue updates", "", "| paper | venue |", "|---|---|"]
        lines += [
            f"| [{_cell(u.title)[:120]}](https://arxiv.org/abs/{u.arxiv_id}) | {_cell(u.venue)} |"
            for u in report.venue_updates
        ]
    return "\n".join(lines) + "\n"
