"""Text embeddings without a model download: hashed word and character n-grams, normalised.

`Embedder` is the one interface the rest of the sandbox uses (a dimension and `embed(texts)`), so a
real model can be plugged in through `create_app`. `HashingEmbedder` is the default: every word,
word bigram and character trigram of the lower-cased text is hashed (CRC-32, stable across
processes, unlike `hash()`) into one of `dimension` (4,096) buckets with a hash-chosen sign,
weighted, and the vector is scaled to unit length. Texts that share words and word pieces score higher under
cosine similarity; the same text always gives the same vector.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Sequence
from typing import Protocol

DEFAULT_DIMENSION = 4096

_WORD = re.compile(r"\w+", re.UNICODE)
# Words so common they only add noise to a bag of words; their character n-grams are kept.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
        "i",
        "my",
        "me",
        "we",
        "our",
        "do",
        "does",
        "did",
        "how",
        "can",
    ]
)
_WORD_WEIGHT = 1.0
_BIGRAM_WEIGHT = 0.7
_TRIGRAM_WEIGHT = 0.35
_WORD_CACHE = 200_000


class Embedder(Protocol):
    """Turns texts into unit vectors of a fixed dimension."""

    @property
    def name(self) -> str:
        """A short name, reported by the API (e.g. in chat `model` fields)."""
        ...

    @property
    def dimension(self) -> int:
        """The length of every vector."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text (the zero vector for a text with no features)."""
        ...


class HashingEmbedder:
    """The deterministic default embedder (see the module docstring).

    A text touches a few hundred of the 4,096 dimensions, so `embed_sparse` (what the sandbox
    stores and searches with) returns only those; `embed` returns the same vector dense.
    """

    def __init__(self, dimension: int = DEFAULT_DIMENSION) -> None:
        if dimension < 8:
            raise ValueError("dimension must be at least 8")
        self._dimension = dimension
        # Word -> its (bucket, signed weight) contributions; natural text repeats words, so this
        # turns most of the hashing into dictionary lookups. Bounded; cleared when full.
        self._words: dict[str, list[tuple[int, float]]] = {}

    @property
    def name(self) -> str:
        return f"hashing-ngram-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        dense = []
        for sparse in self.embed_sparse(texts):
            vector = [0.0] * self._dimension
            for index, value in sparse.items():
                vector[index] = value
            dense.append(vector)
        return dense

    def embed_sparse(self, texts: Sequence[str]) -> list[dict[int, float]]:
        """The same unit vectors as `embed`, as {dimension: value} without the zeros."""
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> dict[int, float]:
        acc: dict[int, float] = {}
        words = _WORD.findall(text.lower())
        for word in words:
            for index, weight in self._word(word):
                acc[index] = acc.get(index, 0.0) + weight
        content = [w for w in words if w not in _STOPWORDS]
        for first, second in itertools.pairwise(content):
            index, weight = self._feature(f"b:{first} {second}", _BIGRAM_WEIGHT)
            acc[index] = acc.get(index, 0.0) + weight
        norm = math.sqrt(sum(x * x for x in acc.values()))
        if norm == 0.0:
            return {}
        return {i: x / norm for i, x in acc.items() if x}

    def _word(self, word: str) -> list[tuple[int, float]]:
        cached = self._words.get(word)
        if cached is None:
            cached = [] if word in _STOPWORDS else [self._feature("w:" + word, _WORD_WEIGHT)]
            padded = f" {word} "
            cached += [
                self._feature("c:" + padded[start : start + 3], _TRIGRAM_WEIGHT)
                for start in range(len(padded) - 2)
            ]
            if len(self._words) >= _WORD_CACHE:
                self._words.clear()
            self._words[word] = cached
        return cached

    def _feature(self, feature: str, weight: float) -> tuple[int, float]:
        h = zlib.crc32(feature.encode("utf-8"))
        # Low bits pick the bucket, a high bit the sign: collisions then cancel on average.
        return h % self._dimension, (weight if (h >> 31) & 1 else -weight)


def embed_sparse(embedder: Embedder, texts: Sequence[str]) -> list[dict[int, float]]:
    """Sparse vectors from any embedder: its own `embed_sparse` when it has one (the hashing
    embedder), else its dense vectors without their zeros (a plugged-in model)."""
    native = getattr(embedder, "embed_sparse", None)
    if native is not None:
        return native(texts)
    return [{i: x for i, x in enumerate(v) if x} for v in embedder.embed(texts)]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors of the same length (0.0 when either is zero)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return dot / (na * nb)
