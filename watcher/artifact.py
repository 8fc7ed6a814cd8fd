"""The model artifact on disk: arrays in `.npz` files plus a JSON card. All of its I/O is here.

Nothing in an artifact is executable: arrays are loaded with `allow_pickle=False` and the card
is JSON. The card records the library versions, the fingerprint of the list and of the review
feedback the model was trained on, the training counts, the threshold and the cross-validated
metrics, and the sha256 of every array file, so a corrupt, stale or foreign artifact is refused
with a message that says which and what to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import ModelError

# The model format. A new number whenever what model.npz holds changes; a model of another
# format is refused with the command that rebuilds it.
FORMAT = "watcher-model/2"
CARD = "card.json"


def library_versions() -> dict[str, str]:
    versions = {"watcher": __version__}  # the code that built the model, whatever pip recorded
    for name in ("scikit-learn", "numpy", "scipy"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def _minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


@dataclass(frozen=True)
class Artifact:
    card: dict[str, Any]
    arrays: dict[str, dict[str, np.ndarray]]  # file stem -> name -> array
    directory: Path

    def part(self, stem: str) -> dict[str, np.ndarray]:
        if stem not in self.arrays:
            raise ModelError(f"{self.directory}: the model has no {stem}.npz")
        return self.arrays[stem]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(directory: Path, card: dict[str, Any], arrays: dict[str, dict[str, np.ndarray]]) -> None:
    """Write every file to a temporary name, then rename: a killed save leaves the old model."""
    directory.mkdir(parents=True, exist_ok=True)
    card = {**card, "format": FORMAT, "libraries": library_versions(), "files": {}}
    blobs = {}
    for stem, named in arrays.items():
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **named)  # type: ignore[arg-type]  # numpy's stub types allow_pickle here
        blobs[f"{stem}.npz"] = buffer.getvalue()
        card["files"][f"{stem}.npz"] = _sha256(blobs[f"{stem}.npz"])
    blobs[CARD] = (json.dumps(card, indent=2, sort_keys=True) + "\n").encode()
    temps = []
    try:
        for name, data in blobs.items():
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            temps.append((tmp, directory / name))
        for tmp, final in temps:  # arrays first, card last: the card vouches for the arrays
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def read_card(directory: Path) -> dict[str, Any]:
    path = directory / CARD
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no model in {directory} ({CARD} missing): train one with `watcher train`") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is corrupt ({type(exc).__name__}): retrain with `watcher train`") from None
    if not isinstance(card, dict) or not str(card.get("format", "")).startswith("watcher-model/"):
        raise ModelError(f"{path}: not a watcher model card")
    if card["format"] != FORMAT:
        built = (card.get("libraries") or {}).get("watcher", "an older watcher")
        raise ModelError(
            f"{directory} holds a {card['format']} model (built by watcher {built}); watcher {__version__} reads "
            f"{FORMAT}: rebuild it with `watcher train`, or `watcher init --retrain` in the list's repository"
        )
    return card


def check_libraries(card: dict[str, Any], where: Path) -> None:
    """Refuse a model built with another scikit-learn/numpy minor version (a foreign artifact)."""
    built = card.get("libraries", {})
    running = library_versions()
    for name in ("scikit-learn", "numpy"):
        if _minor(str(built.get(name, "?"))) != _minor(running[name]):
            raise ModelError(
                f"{where} was built with {name} {built.get(name, '?')}, this environment has {running[name]}: "
                "install the pinned versions (pip install -e .) or retrain with `watcher train`"
            )


def load(directory: Path, *, parts: tuple[str, ...] = ("model",)) -> Artifact:
    card = read_card(directory)
    check_libraries(card, directory)
    arrays: dict[str, dict[str, np.ndarray]] = {}
    for stem in parts:
        name = f"{stem}.npz"
        expected = card.get("files", {}).get(name)
        if expected is None:
            raise ModelError(f"{directory}: the card lists no {name}")
        try:
            data = (directory / name).read_bytes()
        except OSError as exc:
            raise ModelError(f"{directory / name}: cannot read ({exc.strerror or exc})") from None
        if _sha256(data) != expected:
            raise ModelError(
                f"{directory / name} is corrupt (sha256 differs from the card): retrain with "
                "`watcher train` or restore it from git"
            )
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays[stem] = {key: npz[key] for key in npz.files}
        except (ValueError, OSError) as exc:
            raise ModelError(f"{directory / name} cannot be read ({exc})") from None
    return Artifact(card=card, arrays=arrays, directory=directory)
