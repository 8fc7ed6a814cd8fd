"""Publication venues: where arXiv metadata says a paper was accepted or published, and how a list writes one.

The table, VENUES below (one row per venue: canonical short name, kind, aliases). Aliases match
case-insensitively as whole words; in long names commas are optional and "and" and "&" are one.

  speech, audio, music, signal processing
    ICASSP                      conference  IEEE International Conference on Acoustics, Speech and Signal Processing
    Interspeech                 conference  (Annual) Conference of the International Speech Communication Association
    SLT                         workshop    IEEE Spoken Language Technology Workshop
    ASRU                        workshop    IEEE Automatic Speech Recognition and Understanding Workshop
    WASPAA                      workshop    IEEE Workshop on Applications of Signal Processing to Audio and Acoustics
    SSW                         workshop    ISCA Speech Synthesis Workshop
    DCASE                       workshop    Detection and Classification of Acoustic Scenes and Events
    ISMIR                       conference  International Society for Music Information Retrieval Conference
    EUSIPCO                     conference  European Signal Processing Conference
    ICME                        conference  IEEE International Conference on Multimedia and Expo
    SIGDIAL                     conference  Annual Meeting of the Special Interest Group on Discourse and Dialogue
    TASLP                       journal     IEEE/ACM Transactions on Audio, Speech, and Language Processing; T-ASLP
    SPL                         journal     IEEE Signal Processing Letters
    JSTSP                       journal     IEEE Journal of Selected Topics in Signal Processing
    Speech Communication        journal     Speech Communication (Elsevier)
    Computer Speech & Language  journal     Computer Speech and Language
    JASA                        journal     Journal of the Acoustical Society of America
    JASA-EL                     journal     JASA Express Letters
    TISMIR                      journal     Transactions of the International Society for Music Information Retrieval
    TMM                         journal     IEEE Transactions on Multimedia
  language
    ACL                         conference  Annual Meeting of the Association for Computational Linguistics; ACL-IJCNLP
    EMNLP                       conference  Conference on Empirical Methods in Natural Language Processing
    NAACL                       conference  North American (Nations of the Americas) Chapter of the ACL; NAACL-HLT
    EACL                        conference  European Chapter of the Association for Computational Linguistics
    AACL                        conference  Asia-Pacific Chapter of the Association for Computational Linguistics
    COLING                      conference  International Conference on Computational Linguistics
    LREC                        conference  (International Conference on) Language Resources and Evaluation (Conference)
    LREC-COLING                 conference  the 2024 joint conference
    COLM                        conference  Conference on Language Modeling
    TACL                        journal     Transactions of the Association for Computational Linguistics
  machine learning, vision, multimedia, retrieval
    NeurIPS                     conference  (Conference on | Advances in) Neural Information Processing Systems; NIPS
    ICLR                        conference  International Conference on Learning Representations
    ICML                        conference  International Conference on Machine Learning
    AAAI                        conference  AAAI Conference on Artificial Intelligence
    IJCAI                       conference  International Joint Conference on Artificial Intelligence
    IJCNN                       conference  International Joint Conference on Neural Networks
    CVPR                        conference  IEEE/CVF Conference on Computer Vision and Pattern Recognition
    ICCV                        conference  (acronym only: the long name is a prefix of other conferences' names)
    ECCV                        conference  European Conference on Computer Vision
    WACV                        conference  Winter Conference on Applications of Computer Vision
    ACM MM                      conference  ACM International Conference on Multimedia; ACM Multimedia
    KDD                         conference  SIGKDD
    WWW                         conference  The Web Conference; TheWebConf; International World Wide Web Conference
    SIGIR                       conference  Conference on Research and Development in Information Retrieval
    CIKM                        conference  Conference on Information and Knowledge Management
    JMLR                        journal     Journal of Machine Learning Research
    TMLR                        journal     Transactions on Machine Learning Research
    TPAMI                       journal     IEEE Transactions on Pattern Analysis and Machine Intelligence; T-PAMI

Reading rules (precision first: a wrong venue line in a maintainer's list is worse than none):
  * a conference or workshop venue needs a year: written next to the name ("ICASSP 2026",
    "ICLR2024", "NeurIPS'25", "(ICASSP), 2025") or before the long name ("2026 IEEE
    International Conference on ..."); in a journal reference a year written once anywhere
    also counts. A journal needs none ("TASLP"), but keeps one that is written ("TASLP 2024").
  * a comment counts only when a sentence naming the venue says it was accepted (accepted,
    to appear, published, presented, camera-ready, proceedings, oral, ...) or says nothing but
    the venue ("Interspeech 2025", "ICASSP 2025 (oral), 5 pages").
  * nothing is proposed for: two different venues or years; submitted / under review / in
    submission / under consideration / rejected / revisions / extended or earlier versions;
    side events (challenge, shared task, tutorial, tiny paper, late-breaking, doctoral,
    student or extended abstract, symposium, technical report, companion proceedings);
    a Findings track outside the ACL conferences; a workshop mentioned beside the same venue
    without one (which is it?); any name not in the table. A non-empty journal reference
    that names no venue of the table (a physics journal, say) proposes nothing, whatever the
    comment says: the paper was published somewhere the table does not know.
  * tracks kept: Findings, Workshop, Main (only when written), Datasets and Benchmarks, Demo,
    Industry. Oral, spotlight, poster and long/short paper are presentation details, dropped.
    str(Venue) is "name year track": "ICASSP 2026", "TASLP", "ACL 2025 Findings".
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

CONFERENCE: Final = "conference"
WORKSHOP: Final = "workshop"  # a venue itself named a workshop (SLT, ASRU): needs a year, never a Workshop track
JOURNAL: Final = "journal"

VENUES: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    # speech, audio, music, signal processing
    ("ICASSP", CONFERENCE, ("ICASSP", "International Conference on Acoustics, Speech and Signal Processing")),
    (
        "Interspeech",
        CONFERENCE,
        ("Interspeech", "Conference of the International Speech Communication Association"),
    ),
    ("SLT", WORKSHOP, ("SLT", "Spoken Language Technology Workshop")),
    ("ASRU", WORKSHOP, ("ASRU", "Automatic Speech Recognition and Understanding Workshop")),
    ("WASPAA", WORKSHOP, ("WASPAA", "Workshop on Applications of Signal Processing to Audio and Acoustics")),
    ("SSW", WORKSHOP, ("SSW", "Speech Synthesis Workshop")),
    ("DCASE", WORKSHOP, ("DCASE", "Detection and Classification of Acoustic Scenes and Events")),
    (
        "ISMIR",
        CONFERENCE,
        ("ISMIR", "International Society for Music Information Retrieval Conference"),
    ),
    ("EUSIPCO", CONFERENCE, ("EUSIPCO", "European Signal Processing Conference")),
    ("ICME", CONFERENCE, ("ICME", "International Conference on Multimedia and Expo")),
    (
        "SIGDIAL",
        CONFERENCE,
        ("SIGDIAL", "Annual Meeting of the Special Interest Group on Discourse and Dialogue"),
    ),
    (
        "TASLP",
        JOURNAL,
        (
            "TASLP",
            "T-ASLP",
            "Transactions on Audio, Speech, and Language Processing",
            "Trans. Audio, Speech, Lang. Process.",
        ),
    ),
    ("SPL", JOURNAL, ("SPL", "Signal Processing Letters", "Signal Process. Lett.")),
    (
        "JSTSP",
        JOURNAL,
        ("JSTSP", "J-STSP", "Journal of Selected Topics in Signal Processing", "J. Sel. Topics Signal Process."),
    ),
    ("Speech Communication", JOURNAL, ("Speech Communication", "Speech Commun.")),
    ("Computer Speech & Language", JOURNAL, ("Computer Speech & Language", "Comput. Speech Lang.")),
    ("JASA", JOURNAL, ("JASA", "Journal of the Acoustical Society of America", "J. Acoust. Soc. Am.")),
    ("JASA-EL", JOURNAL, ("JASA-EL", "JASA Express Letters")),
    (
        "TISMIR",
        JOURNAL,
        ("TISMIR", "Transactions of the International Society for Music Information Retrieval"),
    ),
    ("TMM", JOURNAL, ("TMM", "IEEE Transactions on Multimedia")),
    # language
    (
        "ACL",
        CONFERENCE,
        (
            "ACL",
            "ACL-IJCNLP",
            "Annual Meeting of the Association for Computational Linguistics",
            "Annual Meeting of the ACL",
        ),
    ),
    (
        "EMNLP",
        CONFERENCE,
        ("EMNLP", "EMNLP-IJCNLP", "Conference on Empirical Methods in Natural Language Processing"),
    ),
    (
        "NAACL",
        CONFERENCE,
        (
            "NAACL",
            "NAACL-HLT",
            "Conference of the North American Chapter of the Association for Computational Linguistics",
            "Conference of the Nations of the Americas Chapter of the Association for Computational Linguistics",
            "North American Chapter of the Association for Computational Linguistics",
            "North American Chapter of the ACL",
            "Nations of the Americas Chapter of the Association for Computational Linguistics",
            "Nations of the Americas Chapter of the ACL",
        ),
    ),
    (
        "EACL",
        CONFERENCE,
        (
            "EACL",
            "Conference of the European Chapter of the Association for Computational Linguistics",
            "European Chapter of the Association for Computational Linguistics",
            "European Chapter of the ACL",
        ),
    ),
    (
        "AACL",
        CONFERENCE,
        (
            "AACL",
            "AACL-IJCNLP",
            "Conference of the Asia-Pacific Chapter of the Association for Computational Linguistics",
            "Asia-Pacific Chapter of the Association for Computational Linguistics",
            "Asia-Pacific Chapter of the ACL",
        ),
    ),
    ("COLING", CONFERENCE, ("COLING", "International Conference on Computational Linguistics")),
    (
        "LREC",
        CONFERENCE,
        (
            "LREC",
            "Language Resources and Evaluation Conference",
            "International Conference on Language Resources and Evaluation",
        ),
    ),
    (
        "LREC-COLING",
        CONFERENCE,
        (
            "LREC-COLING",
            "Joint International Conference on Computational Linguistics, Language Resources and Evaluation",
        ),
    ),
    ("COLM", CONFERENCE, ("COLM", "Conference on Language Modeling")),
    ("TACL", JOURNAL, ("TACL", "Transactions of the Association for Computational Linguistics")),
    # machine learning, vision, multimedia, retrieval
    (
        "NeurIPS",
        CONFERENCE,
        (
            "NeurIPS",
            "NIPS",
            "Conference on Neural Information Processing Systems",
            "Advances in Neural Information Processing Systems",
            "Neural Information Processing Systems",
        ),
    ),
    ("ICLR", CONFERENCE, ("ICLR", "International Conference on Learning Representations")),
    ("ICML", CONFERENCE, ("ICML", "International Conference on Machine Learning")),
    ("AAAI", CONFERENCE, ("AAAI", "AAAI Conference on Artificial Intelligence")),
    ("IJCAI", CONFERENCE, ("IJCAI", "International Joint Conference on Artificial Intelligence")),
    ("IJCNN", CONFERENCE, ("IJCNN", "International Joint Conference on Neural Networks")),
    ("CVPR", CONFERENCE, ("CVPR", "Conference on Computer Vision and Pattern Recognition")),
    ("ICCV", CONFERENCE, ("ICCV",)),
    ("ECCV", CONFERENCE, ("ECCV", "European Conference on Computer Vision")),
    ("WACV", CONFERENCE, ("WACV", "Winter Conference on Applications of Computer Vision")),
    ("ACM MM", CONFERENCE, ("ACM MM", "ACM Multimedia", "ACM International Conference on Multimedia")),
    ("KDD", CONFERENCE, ("KDD", "SIGKDD")),
    (
        "WWW",
        CONFERENCE,
        ("WWW", "The Web Conference", "ACM Web Conference", "TheWebConf", "International World Wide Web Conference"),
    ),
    ("SIGIR", CONFERENCE, ("SIGIR", "Conference on Research and Development in Information Retrieval")),
    ("CIKM", CONFERENCE, ("CIKM", "Conference on Information and Knowledge Management")),
    ("JMLR", JOURNAL, ("JMLR", "Journal of Machine Learning Research")),
    ("TMLR", JOURNAL, ("TMLR", "Transactions on Machine Learning Research")),
    (
        "TPAMI",
        JOURNAL,
        (
            "TPAMI",
            "T-PAMI",
            "Transactions on Pattern Analysis and Machine Intelligence",
            "Trans. Pattern Anal. Mach. Intell.",
        ),
    ),
)

# Phrases read as no venue, so that a venue alias inside them does not match: the organisation
# ISCA is not the journal Speech Communication, and the ACL Anthology hosts every ACL venue.
NOT_VENUES: Final[tuple[str, ...]] = ("International Speech Communication Association", "ACL Anthology")

TRACKS: Final = ("Findings", "Workshop", "Main", "Datasets and Benchmarks", "Demo", "Industry")
_ACL_CONFERENCES: Final = frozenset({"ACL", "EMNLP", "NAACL", "EACL", "AACL"})
_MAX_CHARS: Final = 4000  # an arXiv comment or journal reference is a few hundred characters


@dataclass(frozen=True)
class Venue:
    """A venue as a list would show it: canonical name, year when known, track when it matters."""

    name: str
    year: int | None = None
    track: str | None = None

    def __str__(self) -> str:
        return " ".join(p for p in (self.name, str(self.year) if self.year else "", self.track or "") if p)


_KIND: Final = {name: kind for name, kind, _ in VENUES}

# ---------------------------------------------------------------------------------------------
# Finding names in text


def _alias_pattern(alias: str) -> str:
    """Long names vary in commas and "and"/"&"; a multi-word name must not run on into a longer one."""
    words = alias.replace("&", " & ").replace(",", " ").split()
    body = r"(?:\s*,\s*|\s+)".join(r"(?:and|&)" if w.lower() in ("and", "&") else re.escape(w) for w in words)
    if len(words) > 1:
        # "International Conference on Machine Learning and Applications" is another conference;
        # a capitalised next word continues the name unless it is a track word.
        body += (
            r"(?!\s+(?:and|for|of|on|in|&)\s)"
            r"(?!\s+(?!(?:workshops?|datasets|track|main|findings|volume|vol|proceedings)\b)(?-i:[A-Z]))"
        )
    return body


def _mention_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation over every alias, so overlapping names resolve leftmost-longest in one pass."""
    entries = [(alias, name) for name, _, aliases in VENUES for alias in aliases]
    entries += [(phrase, "") for phrase in NOT_VENUES]
    entries.sort(key=lambda e: -len(e[0]))  # at one position the longest alias wins
    groups = {f"v{i}": name for i, (_, name) in enumerate(entries)}
    alternation = "|".join(f"(?P<v{i}>{_alias_pattern(alias)})" for i, (alias, _) in enumerate(entries))
    # "ICLR2024" and "NeurIPS'25" end in a year; "SIGIR-AP" and "DGM4MICCAI" are other names.
    pattern = rf"(?<![A-Za-z0-9])(?:{alternation})(?![A-Za-z]|-[A-Za-z])"
    return re.compile(pattern, re.IGNORECASE), groups


_MENTION, _GROUP_NAME = _mention_regex()
# "ICASSP 2026", "ICLR2024", "(ICASSP), 2025", "NeurIPS'25", "AAAI-26".
_YEAR_AFTER = re.compile(
    r"[\s\-,:()\[\]]{0,4}(?:((?:19|20)\d{2})(?!\d)|(?<=[A-Za-z])-(\d{2})(?![\d.-])|'\s?(\d{2})(?![\d']))"
)
_YEAR_BEFORE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:\s+(?:ieee/acm|ieee/cvf|ieee|acm|cvf|isca|aaai|the|annual|conference|of|on|"
    r"international|joint))*\s+$",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d])")


@dataclass(frozen=True)
class _Mention:
    """One venue name found in a text: where, and the year written next to it."""

    name: str
    start: int
    end: int  # after the year when one is written next to the name
    year: int | None


def _year_of(match: re.Match[str]) -> int:
    """'25 and -25 are this century's; arXiv has no venue of the 1970s to confuse them with."""
    if match[1]:
        return int(match[1])
    yy = int(match[2] or match[3])
    return 2000 + yy if yy < 70 else 1900 + yy


def _mentions(text: str) -> list[_Mention]:
    """Venue names in text, left to right, each with the year written next to it if any."""
    found: list[_Mention] = []
    for m in _MENTION.finditer(text):
        name = _GROUP_NAME[m.lastgroup or ""]
        if not name:
            continue
        year, end = None, m.end()
        if after := _YEAR_AFTER.match(text, m.end()):
            year, end = _year_of(after), after.end()
        elif before := _YEAR_BEFORE.search(text, max(0, m.start() - 60), m.start()):
            year = int(before[1])
        found.append(_Mention(name, m.start(), end, year))
    return found


# ---------------------------------------------------------------------------------------------
# Cleaning untrusted text

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u00b4": "'", "`": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-"}
)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b10\.\d{4,9}/\S+|\S+\.(?:com|org|io|net|edu|ai|dev)\b(?:/\S*)?", re.I)
_FINDINGS_OF_ACL = re.compile(
    r"findings\s+of\s+(?:the\s+)?(?:association\s+for\s+computational\s+linguistics|acl)\s*[:\-]\s*", re.I
)


def _clean(text: str) -> str:
    """One line without URLs or DOIs (a repository name is no venue); "Findings of ACL: EMNLP" is EMNLP."""
    text = unicodedata.normalize("NFKC", text[:_MAX_CHARS]).translate(_QUOTES)
    text = _URL.sub(" ", text)
    text = _FINDINGS_OF_ACL.sub("Findings: ", text)
    return " ".join(text.split())


_MARKUP = re.compile(r"<[^>]*>|&nbsp;|\]\([^)]*\)|[*_~|#>\[\]]")


def _clean_list_text(text: str) -> str:
    """Markdown and HTML around a list's venue ("**ICLR'24**", "NeurIPS<br>Workshop", "[ACL'24_(Findings)]")."""
    return _clean(_MARKUP.sub(" ", text[:_MAX_CHARS]))


# ---------------------------------------------------------------------------------------------
# Sentences, cues, tracks

_SPLIT = re.compile(r"[;|\n]|\.\s+(?=[A-Z(\[])")


def _sentence_bounds(text: str, mentions: list[_Mention]) -> list[int]:
    """Sentence starts; a full stop after a short word ("Proc.", "Int.") or inside a name is no end."""
    starts = [0]
    for m in _SPLIT.finditer(text):
        if any(v.start <= m.start() < v.end for v in mentions):
            continue
        if m.group().startswith("."):
            word = re.search(r"([A-Za-z]+)\W*$", text[: m.start()])
            if word and len(word[1]) <= 4 and not re.search(r"[\d)\]]$", text[: m.start()]):
                continue
        starts.append(m.end())
    return starts


def _sentence_of(text: str, starts: list[int], position: int) -> tuple[int, int]:
    """The sentence holding a position, as (start, end)."""
    i = bisect.bisect_right(starts, position) - 1
    return starts[i], starts[i + 1] if i + 1 < len(starts) else len(text)


def _masked(text: str, start: int, end: int, mentions: list[_Mention]) -> str:
    """The sentence with every venue name blanked, so "Spoken Language Technology Workshop" is no workshop."""
    chars = list(text[start:end])
    for v in mentions:
        for i in range(max(v.start, start), min(v.end, end)):
            chars[i - start] = " "
    return "".join(chars)


_TRACK_ANYWHERE: Final = (
    ("Findings", re.compile(r"\bfindings\b", re.I)),
    ("Workshop", re.compile(r"\bworkshops?\b", re.I)),
    ("Main", re.compile(r"\bmain\s+(?:conference|track|proceedings|paper)\b|\(\s*main\s*\)", re.I)),
    ("Datasets and Benchmarks", re.compile(r"\bdatasets?\s+(?:and|&)\s+benchmarks?\b|\bD&B\b", re.I)),
    ("Demo", re.compile(r"\bdemo(?:nstration)?s?\s+(?:track|paper)s?\b|\bsystem\s+demonstrations?\b", re.I)),
    ("Industry", re.compile(r"\bindustry\s+track\b", re.I)),
)
# Written straight after the name and year, as lists do: "EMNLP 2024 Main", "EMNLP<br>demo".
_TRACK_NEXT = re.compile(r"[\s(,\-]{0,3}(main|demo|industry)\b", re.I)


def _tracks(text: str, mention: _Mention, sentence: str, *, list_text: bool) -> set[str]:
    """Tracks said in the venue's sentence; in a comment "Interspeech 2025, demo page: ..." is no demo track."""
    found = {track for track, rx in _TRACK_ANYWHERE if rx.search(sentence)}
    if list_text and (nxt := _TRACK_NEXT.match(text, mention.end)):
        found.add(nxt[1].capitalize())
    if _KIND[mention.name] == WORKSHOP:
        found.discard("Workshop")
    return found


_ACCEPTED = re.compile(
    r"\b(?:accept(?:ed|s)?|to\s+appear|appear(?:s|ed|ing)?\s+(?:in|at)|will\s+appear|published|publication|"
    r"camera[\s-]*ready|presented|presentation|proceedings|proc|in\s+press|oral|spotlight|poster|selected)\b",
    re.I,
)
_FILLER = re.compile(
    r"\b(?:\d+\s*(?:pages?|pp|figures?|figs?|tables?|references?|refs?)|the|in|at|ieee|acm|isca|cvf|"
    r"conference|conf|main|track|findings|workshops?|long|short|full|papers?|oral|poster|spotlight|"
    r"highlight|version|pages?|figures?|tables?|appendix|appendices|with|and|plus|including|incl)\b",
    re.I,
)
_REFUSE = re.compile(
    r"\b(?:submitted|submissions?|submit|resubmi\w*|under\s+(?:review|consideration|revision)|in\s+review|"
    r"reviewing|being\s+reviewed|rejected|not\s+(?:yet\s+)?accepted|pending|withdrawn?|conditionally|"
    r"tentatively|provisionally|(?:major|minor)\s+revisions?|rolling\s+review|ARR|work\s+in\s+progress|"
    r"(?:extended|earlier|previous|preliminary|shorter|short|conference|journal|longer|workshop)\s+version|"
    r"extension\s+of|considered\s+for|intend(?:ed|s)?\s+to|plan(?:ned|s)?\s+to)\b",
    re.I,
)
_SIDE_EVENT = re.compile(
    r"\b(?:challenges?|competitions?|shared\s+tasks?|tiny\s+papers?|blog\s*posts?|late[\s-]breaking|LBD|"
    r"doctoral|student\s+abstracts?|extended\s+abstracts?|abstract\s+track|tutorials?|symposium|"
    r"technical\s+report|tech\s+report|system\s+descriptions?|show\s+(?:and|&)\s+tell|companion)\b",
    re.I,
)


# ---------------------------------------------------------------------------------------------
# Reading one text


def _venue_sentences(text: str, mentions: list[_Mention]) -> list[tuple[_Mention, str]]:
    """Each mention with its sentence, venue names blanked."""
    starts = _sentence_bounds(text, mentions)
    return [(m, _masked(text, *_sentence_of(text, starts, m.start), mentions)) for m in mentions]


def _says_accepted(sentence: str) -> bool:
    """An acceptance word, or nothing but the venue, page counts and presentation words ("Interspeech 2025")."""
    return bool(_ACCEPTED.search(sentence)) or not re.search(r"[A-Za-z]", _FILLER.sub(" ", sentence))


def _track_of(text: str, sentences: list[tuple[_Mention, str]], what: str) -> tuple[str | None, str]:
    """The one track all mentions agree on, or a refusal: "ICASSP 2025" beside "the ICASSP 2025 workshop" is unclear."""
    tracks: set[str | None] = set()
    for mention, sentence in sentences:
        found = _tracks(text, mention, sentence, list_text=False)
        if len(found) > 1:
            return None, f"{what} names several tracks ({', '.join(sorted(found))})"
        tracks.add(found.pop() if found else None)
    name = sentences[0][0].name
    if len(tracks) > 1:
        return None, f"{what} names {name} with and without a track ({', '.join(sorted(t for t in tracks if t))})"
    track = tracks.pop()
    if track == "Findings" and name not in _ACL_CONFERENCES:
        return None, f"Findings track at {name}, not an ACL conference"
    if track == "Datasets and Benchmarks" and name != "NeurIPS":
        return None, f"Datasets and Benchmarks track at {name}"
    return track, ""


@dataclass(frozen=True)
class _Reading:
    """What one journal reference or comment says: a venue (maybe without its year) or why not."""

    name: str | None = None
    year: int | None = None
    track: str | None = None
    refusal: str = ""


def _read(raw: str, *, journal_ref: bool) -> _Reading:
    """One text's venue; the refusals come first, since one "submitted" makes the rest of a comment doubtful."""
    text = _clean(raw)
    what = "journal reference" if journal_ref else "comment"
    if refuse := _REFUSE.search(text):
        return _Reading(refusal=f"{what} says {refuse[0]!r}")
    if side := _SIDE_EVENT.search(text):
        return _Reading(refusal=f"{what} names a side event ({side[0]!r})")
    mentions = _mentions(text)
    if not mentions:
        return _Reading(refusal=f"{what} names no venue of the table")
    names = sorted({m.name for m in mentions})
    if len(names) > 1:
        return _Reading(refusal=f"{what} names two venues ({', '.join(names)})")
    sentences = _venue_sentences(text, mentions)
    if not journal_ref and not any(_says_accepted(sentence) for _, sentence in sentences):
        return _Reading(refusal="comment does not say the paper was accepted there")
    track, refusal = _track_of(text, sentences, what)
    if refusal:
        return _Reading(refusal=refusal)
    years = {m.year for m in mentions if m.year}
    if not years and journal_ref:
        years = {int(y) for y in _ANY_YEAR.findall(text)}
    if len(years) > 1:
        return _Reading(refusal=f"{what} names {names[0]} with two years ({', '.join(map(str, sorted(years)))})")
    return _Reading(names[0], years.pop() if years else None, track)


def _complete(reading: _Reading, what: str) -> tuple[Venue | None, str]:
    """A conference without a year is not a venue line: "ICASSP" alone could be any year."""
    if reading.name is None:
        return None, reading.refusal
    if reading.year is None and _KIND[reading.name] != JOURNAL:
        return None, f"{what} names {reading.name} without a year"
    venue = Venue(reading.name, reading.year, reading.track)
    return venue, f"{what} names {venue}"


# ---------------------------------------------------------------------------------------------
# Public API


def explain_venue(journal_ref: str = "", comment: str = "") -> tuple[Venue | None, str]:
    """venue_of with its reason, for logs and the measurement: why a paper got no venue line."""
    jr = _read(journal_ref, journal_ref=True) if journal_ref.strip() else None
    cm = _read(comment, journal_ref=False) if comment.strip() else None
    if jr is None:
        return _complete(cm, "comment") if cm else (None, "no journal reference or comment")
    if jr.name is None or cm is None or cm.name is None:
        return _complete(jr, "journal reference")
    if (
        cm.name != jr.name
        or (jr.year and cm.year and jr.year != cm.year)
        or (jr.track and cm.track and jr.track != cm.track)
    ):
        said = (Venue(jr.name, jr.year, jr.track), Venue(cm.name, cm.year, cm.track))
        return None, f"journal reference and comment disagree ({said[0]} vs {said[1]})"
    merged = _Reading(jr.name, jr.year or cm.year, jr.track or cm.track)
    return _complete(merged, "journal reference and comment")


def venue_of(journal_ref: str = "", comment: str = "") -> Venue | None:
    """The venue arXiv's journal reference or comment says the paper is accepted at; None when unclear."""
    return explain_venue(journal_ref, comment)[0]


def venue_in_text(text: str) -> Venue | None:
    """The first venue a list's text shows ("ICLR2024", "(ACL 2024 Findings)", "IEEE TASLP"), any year or none."""
    cleaned = _clean_list_text(text)
    mentions = _mentions(cleaned)
    if not mentions:
        return None
    first = mentions[0]
    starts = _sentence_bounds(cleaned, mentions)
    start, end = _sentence_of(cleaned, starts, first.start)
    found = _tracks(cleaned, first, _masked(cleaned, start, end, mentions), list_text=True)
    track = next((t for t in TRACKS if t in found), None)  # a list line is not the place to refuse
    return Venue(first.name, first.year, track)


def shows_venue(text: str, venue: Venue) -> bool:
    """Whether a list's text (an entry with its sub-lines, tags or table cells) already shows `venue`
    in any form: its name or any alias of the table, case-insensitively, with the same year or none
    ("ICLR2024", "**NeurIPS'25**", "IEEE/ACM Transactions on Audio, Speech, and Language Processing")."""
    wanted = venue.name
    return any(
        m.name == wanted and (m.year is None or venue.year is None or m.year == venue.year)
        for m in _mentions(_clean_list_text(text))
    )


def same_venue(a: Venue, b: Venue) -> bool:
    """Whether a list showing one already shows the other: same name, same year where both have one."""
    return a.name == b.name and (a.year is None or b.year is None or a.year == b.year)


_PREPRINT_WORDS: Final = frozenset(
    {"arxiv", "preprint", "corr", "abs", "techrxiv", "biorxiv", "medrxiv", "ssrn", "e-print"}
)
_PREPRINT_MARKERS: Final = frozenset({"arxiv", "preprint", "corr", "techrxiv", "biorxiv", "medrxiv", "ssrn", "e-print"})


def is_preprint_marker(text: str) -> bool:
    """Whether a list's venue text says only "preprint" ("Arxiv", "(arXiv 2024)", "CoRR abs/..."): a slot to fill."""
    cleaned = re.sub(r"\d{4}\.\d{4,5}(?:v\d+)?|\b(?:19|20)\d{2}\b|'\d{2}\b", " ", _clean_list_text(text))
    words = re.findall(r"[a-z][a-z-]*", cleaned.lower())
    return bool(words) and all(w in _PREPRINT_WORDS for w in words) and any(w in _PREPRINT_MARKERS for w in words)
