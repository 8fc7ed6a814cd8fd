"""Code links: the repository URLs (GitHub, GitLab, Hugging Face) a paper's own abstract or comment names.

Only what the text says, never a search guess; the text is untrusted, so a URL is rebuilt from
checked parts, never copied. What counts, and the normal form it is given:

  github.com/OWNER/REPO                       -> https://github.com/OWNER/REPO
  gitlab.com/GROUP[/SUBGROUP...]/PROJECT      -> https://gitlab.com/GROUP/.../PROJECT
  huggingface.co/OWNER/NAME (a model)         -> https://huggingface.co/OWNER/NAME
  huggingface.co/datasets|spaces/OWNER/NAME   -> https://huggingface.co/datasets|spaces/OWNER/NAME
  (hf.co is huggingface.co; http://, www. and "https: //" line-break artefacts are accepted)

  * a deeper path (/tree/main/..., /blob/..., /-/tree/..., /resolve/..., ?query, #anchor) is
    cut to the repository: the entry links the project, not a file in it.
  * a trailing full stop, ".git", and wrappers around the URL (")", "}", "\\url{...}",
    "\\href{URL}{text}", "[text](URL)") are dropped; LaTeX's "\\_" is "_".
  * not code: a bare owner (github.com/MiniMax-AI), GitHub pages other than a repository
    (orgs, topics, sponsors, ...), issues, pull requests and discussions, gists, github.io
    sites, Hugging Face papers, collections, blog and docs, other hosts that merely contain
    a host's name (github.cs.example.edu, raw.githubusercontent.com).
  * a name is ASCII letters, digits, "-", "_" and "." only, at most 100 characters, never "."
    or ".."; a GitHub owner is letters, digits and "-" only (GitHub's rule): anything else is
    no URL.

code_urls gives them in order of first appearance, once each (GitHub, GitLab and Hugging Face
names are case-insensitive: the first spelling is kept). first_code_url prefers code to data:
an abstract that names its Hugging Face dataset before its GitHub repository links the
repository; a Hugging Face model, dataset or Space is the link only when nothing else is named.
"""

from __future__ import annotations

import re
from typing import Final

_HOST_URL: Final = re.compile(
    # the host must start a URL: after a scheme ("athttps://" and "https: //" are real typos) or a non-URL character
    r"(?:(?<=https://)|(?<=http://)|(?<=https:// )|(?<=https: //)|(?<=http:// )|(?<=http: //)|(?<![\w.@/:-]))"
    r"(?:www\.)?(github\.com|gitlab\.com|huggingface\.co|hf\.co)/([A-Za-z0-9_./-]*)",
    re.IGNORECASE,
)
_NAME: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_GITHUB_OWNER: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")  # GitHub's rule: no dots, underscores

# First path parts that are GitHub or Hugging Face pages, not an owner.
_GITHUB_PAGES: Final = frozenset(
    {
        "about", "apps", "collections", "contact", "customer-stories", "enterprise", "events", "explore",
        "features", "issues", "join", "login", "marketplace", "new", "notifications", "orgs", "organizations",
        "pricing", "pulls", "readme", "search", "security", "settings", "site", "sponsors", "topics",
        "trending", "users",
    }
)  # fmt: skip
_GITHUB_NOT_CODE: Final = frozenset({"issues", "pull", "pulls", "discussions", "security", "projects"})
_GITLAB_PAGES: Final = frozenset({"explore", "help", "users", "dashboard", "search", "groups", "projects", "admin"})
_GITLAB_END: Final = frozenset({"-", "tree", "blob", "raw", "commits", "commit", "wikis"})
_GITLAB_NOT_CODE: Final = frozenset({"issues", "merge_requests"})
_HF_KINDS: Final = frozenset({"datasets", "spaces"})
_HF_PAGES: Final = frozenset(
    {
        "api", "blog", "chat", "collections", "docs", "enterprise", "join", "learn", "login", "models",
        "new", "organizations", "papers", "posts", "pricing", "search", "settings", "tasks",
    }
)  # fmt: skip


def _name(part: str) -> str | None:
    """A repository name without the sentence's full stop or ".git"; None when it is no safe name."""
    part = part.rstrip(".")
    if part.lower().endswith(".git"):
        part = part[:-4].rstrip(".")
    return part if _NAME.fullmatch(part) and part not in (".", "..") else None


def _github(parts: list[str]) -> str | None:
    """owner/repo; an issue or pull request names the repository but is not a code link."""
    if len(parts) < 2 or parts[0].lower() in _GITHUB_PAGES:
        return None
    if len(parts) > 2 and parts[2].lower() in _GITHUB_NOT_CODE:
        return None
    owner, repo = parts[0], _name(parts[1])
    return f"https://github.com/{owner}/{repo}" if _GITHUB_OWNER.fullmatch(owner) and repo else None


def _gitlab(parts: list[str]) -> str | None:
    """GitLab nests groups, so the project is every part before "/-/" (or an older "/tree/")."""
    if not parts or parts[0].lower() in _GITLAB_PAGES or _GITLAB_NOT_CODE & {p.lower() for p in parts}:
        return None
    path: list[str] = []
    for part in parts[:20]:
        if part.lower() in _GITLAB_END:
            break
        path.append(part)
    names = [_name(p) for p in path]
    if len(names) < 2 or not all(names):
        return None
    return "https://gitlab.com/" + "/".join(n for n in names if n)


def _huggingface(parts: list[str]) -> str | None:
    """Models live at owner/name, datasets and Spaces one level down."""
    kind = parts[0].lower() if parts else ""
    if kind in _HF_KINDS:
        prefix, parts = f"{kind}/", parts[1:]
    elif kind in _HF_PAGES:
        return None
    else:
        prefix = ""
    if len(parts) < 2:
        return None
    owner, name = _name(parts[0]), _name(parts[1])
    return f"https://huggingface.co/{prefix}{owner}/{name}" if owner and name else None


_BY_HOST: Final = {"github.com": _github, "gitlab.com": _gitlab, "huggingface.co": _huggingface, "hf.co": _huggingface}


def code_urls(*texts: str) -> tuple[str, ...]:
    """Repository URLs the paper's own texts name, normalised, in order, once each: the entry's code link."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _HOST_URL.finditer(text.replace("\\_", "_")):
            parts = [p for p in m[2].split("/") if p]
            url = _BY_HOST[m[1].lower()](parts)
            if url:
                found.setdefault(url.lower(), url)
    return tuple(found.values())


def first_code_url(*texts: str) -> str:
    """The one link an entry carries: the first GitHub or GitLab repository, else the first Hugging Face one."""
    urls = code_urls(*texts)
    code = [u for u in urls if not u.startswith("https://huggingface.co/")]
    return (code or urls or [""])[0]
