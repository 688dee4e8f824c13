"""Text embeddings without a model download: hashed word and character n-grams, normalised.

`Embedder` is the one interface the rest of the sandbox uses (a dimension and `embed(texts)`), so a
real model can be plugged in through `create_app`. `HashingEmbedder` is the default: every word,
word bigram and character trigram of the lower-cased text is hashed (CRC-32, stable across
processes, unlike `hash()`) into one of `dimension` buckets with a hash-chosen sign, weighted, and
the vector is scaled to unit length. Texts that share words and word pieces score higher under
cosine similarity; the same text always gives the same vector.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Sequence
from typing import Protocol

DEFAULT_DIMENSION = 256

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
    """The deterministic default embedder (see the module docstring)."""

    def __init__(self, dimension: int = DEFAULT_DIMENSION) -> None:
        if dimension < 8:
            raise ValueError("dimension must be at least 8")
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"hashing-ngram-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self._dimension
        words = _WORD.findall(text.lower())
        content = [w for w in words if w not in _STOPWORDS]
        for word in content:
            self._add(vector, "w:" + word, _WORD_WEIGHT)
        for first, second in itertools.pairwise(content):
            self._add(vector, f"b:{first} {second}", _BIGRAM_WEIGHT)
        for word in words:
            padded = f" {word} "
            for start in range(len(padded) - 2):
                self._add(vector, "c:" + padded[start : start + 3], _TRIGRAM_WEIGHT)
        norm = math.sqrt(sum(x * x for x in vector))
        if norm == 0.0:
            return vector
        return [x / norm for x in vector]

    def _add(self, vector: list[float], feature: str, weight: float) -> None:
        h = zlib.crc32(feature.encode("utf-8"))
        # Low bits pick the bucket, a high bit the sign: collisions then cancel on average.
        vector[h % self._dimension] += weight if (h >> 31) & 1 else -weight


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors of the same length (0.0 when either is zero)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return dot / (na * nb)
