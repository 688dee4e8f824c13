"""The hashing embedder: deterministic unit vectors in which similar texts are closer."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from genispace_mcp.sandbox.embed import Embedder, HashingEmbedder, cosine


def test_vectors_are_unit_length_and_fixed_size() -> None:
    embedder: Embedder = HashingEmbedder()
    vectors = embedder.embed(["Refunds take five days", "x", "¿Dónde está mi pedido? 注文"])
    assert all(len(v) == embedder.dimension == 4096 for v in vectors)
    assert all(math.isclose(math.sqrt(sum(x * x for x in v)), 1.0) for v in vectors)
    assert embedder.embed([""]) == [[0.0] * 4096]
    assert embedder.embed(["!!! ..."]) == [[0.0] * 4096]


def test_same_text_same_vector_across_processes() -> None:
    here = HashingEmbedder().embed(["When will my order ship?"])[0]
    code = "from genispace_mcp.sandbox.embed import HashingEmbedder; print(HashingEmbedder().embed(['When will my order ship?'])[0])"
    # A different hash seed would change hash(): the embedder must not depend on it.
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    ).stdout
    assert [round(x, 12) for x in eval(there)] == [round(x, 12) for x in here]


@pytest.mark.parametrize(
    ("query", "closer", "farther"),
    [
        (
            "when will my order ship",
            "Orders ship within two business days",
            "Hold the reset button for ten seconds",
        ),
        ("reset the router", "How do I factory reset my router?", "Refunds are paid in five days"),
        ("refund", "Refunds are issued to your card", "The camera records in 4K"),
        ("shipping", "ships shipped shipment", "warranty covers defects"),  # shared word pieces
    ],
)
def test_similar_texts_score_higher(query: str, closer: str, farther: str) -> None:
    embedder = HashingEmbedder()
    q, a, b = embedder.embed([query, closer, farther])
    assert cosine(q, a) > cosine(q, b)


def test_dimension_is_configurable() -> None:
    assert len(HashingEmbedder(64).embed(["abc"])[0]) == 64
    with pytest.raises(ValueError, match="dimension"):
        HashingEmbedder(2)
