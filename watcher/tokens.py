"""Secrets from environment variables, wrapped so they never show up in a repr, log or error."""

from __future__ import annotations

import os
from collections.abc import Mapping


class Secret:
    """A token. `str()` and `repr()` are masked; `.reveal()` is the only way to the value."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source  # the environment variable it came from

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(${self.source}, ***)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self.source)


def read_secret(name: str, environ: Mapping[str, str] | None = None) -> Secret | None:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return Secret(value, name) if value else None
