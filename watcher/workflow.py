"""The GitHub Actions workflow a list repository gets: rendered from the packaged template, pinned to a commit."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
from importlib.resources import files
from pathlib import Path, PurePosixPath

from . import __version__

DEFAULT_ACTION = "watcher-bot/watcher"
DEFAULT_CRON = "23 6 * * 1-5"  # 06:23 UTC Monday to Friday: after arXiv's feed rebuild, off the hour

_SHA = re.compile(r"[0-9a-fA-F]{40}")
# GitHub: owner up to 39 characters (letters, digits, inner hyphens); repository letters, digits, ".-_".
_ACTION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}")
_VERSION = re.compile(r"[0-9A-Za-z.+-]+")
_PLACEHOLDER = re.compile(r"%[A-Z]+%")


def render_workflow(
    *,
    action: str,
    ref: str,
    config_path: str = "config.toml",
    cron: str = DEFAULT_CRON,
    version: str = __version__,
) -> str:
    """The workflow file for a list repository, using `action` pinned to the commit `ref`.

    Every value is checked before it is put into the YAML (a bad one is a ValueError with a
    one-line message), so the result is always a valid workflow for the offline validators.
    """
    if not _ACTION.fullmatch(action):
        raise ValueError(f"action must be the watcher repository as owner/name, got {action!r}")
    if not _SHA.fullmatch(ref):
        raise ValueError(f"ref must be a full commit SHA (40 hex characters), got {ref!r}")
    _check_cron(cron)
    if not _VERSION.fullmatch(version):
        raise ValueError(f"version must be a version number, got {version!r}")
    _check_config_path(config_path)
    template = files("watcher").joinpath("templates", "watcher.yml").read_text(encoding="utf-8")
    values = {
        "%ACTION%": action,
        "%REF%": ref.lower(),
        "%VERSION%": version.removeprefix("v"),
        # JSON strings are YAML double-quoted scalars: any path or cron line stays one scalar.
        "%CONFIG%": json.dumps(config_path),
        "%CRON%": json.dumps(cron),
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group()], template)


# minute, hour, day of month, month, day of week (0 = Sunday)
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_ITEM = re.compile(r"(\*|([0-9]+)(?:-([0-9]+))?)(?:/([0-9]+))?")


def _check_cron(cron: str) -> None:
    """Five numeric cron fields in range (GitHub rejects the workflow file otherwise)."""
    fields = cron.split(" ")
    ok = len(fields) == 5
    for text, (low, high) in zip(fields, _CRON_RANGES, strict=False):
        for item in text.split(","):
            m = _CRON_ITEM.fullmatch(item)
            numbers = [int(n) for n in m.groups()[1:3] if n is not None] if m else []
            step = m.group(4) if m else None
            if not m or any(not low <= n <= high for n in numbers) or step == "0" or numbers != sorted(numbers):
                ok = False
    if not ok:
        raise ValueError(f"cron must be five cron fields (numbers, *, ranges, lists, steps) in range, got {cron!r}")


def _check_config_path(path: str) -> None:
    parts = PurePosixPath(path).parts
    if (
        not parts
        or path.startswith("/")
        or ".." in parts
        or "\\" in path
        or "${{" in path
        or any(ord(c) < 32 or ord(c) == 127 for c in path)
    ):
        raise ValueError(f"config_path must be a relative path inside the repository, got {path!r}")


def commit_from_direct_url(text: str) -> str | None:
    """The git commit in pip's direct_url.json (an install from a git URL), else None."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git":
        return None
    commit = vcs.get("commit_id")
    return commit.lower() if isinstance(commit, str) and _SHA.fullmatch(commit) else None


# --- I/O: where the installed watcher came from --------------------------------------------


def installed_ref() -> str | None:
    """The commit of the installed watcher, to pin the action to; None if it cannot be known.

    pip records the commit of an install from a git URL in direct_url.json; an install from a
    git checkout (editable or not, the package directory inside it) has the checkout's HEAD.
    Reads pip's metadata and runs git; everything else in this module is pure.
    """
    try:
        text = importlib.metadata.distribution("watcher").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        text = None
    return (commit_from_direct_url(text) if text else None) or git_head(Path(__file__).resolve().parent)


def git_head(package_dir: Path) -> str | None:
    """HEAD of the git checkout whose top level holds `package_dir`, else None.

    Only the checkout of watcher itself counts: a site-packages directory inside some other
    repository (a virtualenv in a project) is not where this code came from.
    """
    try:
        result = subprocess.run(
            ["git", "-C", str(package_dir), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2:
        return None
    top, head = lines
    if Path(top).resolve() != package_dir.resolve().parent or not _SHA.fullmatch(head):
        return None
    return head.lower()
