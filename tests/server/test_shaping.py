"""Shaping: compact minified text, record-boundary fitting, clipping and lean schemas."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genispace_mcp.server.models import Agent, AgentList
from genispace_mcp.server.shaping import (
    CUT_MARK,
    clip,
    compact,
    dumps,
    fit,
    lean_schema,
    listing,
    page_note,
)


def test_compact_drops_nulls_and_empties_but_keeps_false_and_zero() -> None:
    value = {
        "a": None,
        "b": "",
        "c": [],
        "d": {},
        "e": {"f": None},
        "g": False,
        "h": 0,
        "i": [1, None],
    }
    assert compact(value) == {"g": False, "h": 0, "i": [1]}


def test_dumps_is_minified_and_keeps_unicode() -> None:
    assert dumps({"name": "Café", "n": [1, 2], "x": None}) == '{"name":"Café","n":[1,2]}'


def test_fit_counts_the_records_that_fit() -> None:
    records = [{"i": index, "pad": "x" * 10} for index in range(10)]
    one = len(dumps(records[0])) + 1
    assert fit(records, one * 3) == 3
    assert fit(records, one * 3 - 1) == 2
    assert fit(records, 10**6) == 10
    assert fit(records, 0) == 0


def test_clip_says_what_was_cut_and_how_to_get_more() -> None:
    assert clip("short", 100, "never shown") == "short"
    text = clip("x" * 1_000, 200, "Ask for less.")
    assert len(text) <= 200
    assert CUT_MARK in text
    assert "Ask for less." in text
    assert "more characters not shown" in text


def test_page_note() -> None:
    assert (
        page_note("list_agents", 2, 57, True) == "More results of 57: call list_agents with page=3."
    )
    assert page_note("list_agents", 3, 57, False) is None


def test_lean_schema_strips_titles_and_collapses_optional() -> None:
    schema = {
        "title": "fnArguments",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string"},
            "search": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "default": None,
                "title": "S",
            },
            "kept": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": "x"},
        },
    }
    assert lean_schema(schema) == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "search": {"type": "string"},
            "kept": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": "x"},
        },
    }


@settings(max_examples=60, deadline=None)
@given(
    descriptions=st.lists(st.text(max_size=3_000), max_size=30),
    budget=st.integers(min_value=1_000, max_value=30_000),
    untrusted=st.booleans(),
)
def test_a_listing_never_passes_its_budget_and_keeps_whole_items(
    descriptions: list[str], budget: int, untrusted: bool
) -> None:
    items = [Agent(id=f"agt_{n}", description=text) for n, text in enumerate(descriptions)]
    shaped = listing(
        AgentList,
        items,
        tool="list_agents",
        page=1,
        total=len(items) + 5,
        has_more=True,
        budget=budget,
        untrusted_what="agents" if untrusted else None,
    )
    text = shaped.content[0].text  # type: ignore[union-attr]
    assert len(text) <= budget
    structured = shaped.structured_content or {}
    shown = structured["items"]
    assert [item["id"] for item in shown] == [f"agt_{n}" for n in range(len(shown))]
    if len(shown) < len(items):
        assert CUT_MARK in text
    assert "page=2" in text
