"""Wrong-shaped tool arguments: every JSON type a property does not take, and random JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# One representative of each JSON type, plus the shapes clients get wrong most often.
SAMPLES: dict[str, list[Any]] = {
    "null": [None],
    "boolean": [True],
    "integer": [0, -1, 2**63],
    "number": [1.5, -1e308],
    "string": ["", "x" * 10_000, "{not json", "../../etc/passwd", "\u202eevil\x00"],
    "array": [[], [1, "two", None]],
    "object": [{}, {"unexpected": {"nested": [1]}}],
}


def allowed_types(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    """The JSON types a property schema accepts (anyOf/oneOf/$ref followed; none: any)."""
    if "$ref" in schema:
        target = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return allowed_types(target, defs)
    types: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            types |= allowed_types(option, defs)
    declared = schema.get("type")
    if isinstance(declared, str):
        types.add(declared)
    elif isinstance(declared, list):
        types.update(declared)
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        types.update(_json_type(v) for v in values)
    if not types and not any(k in schema for k in ("anyOf", "oneOf", "allOf")):
        return set(SAMPLES)  # an unconstrained property takes anything
    if "number" in types:
        types.add("integer")  # every integer is a number
    return types


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def wrong_values(schema: dict[str, Any], defs: dict[str, Any]) -> list[Any]:
    """Values of every JSON type the property schema does not accept."""
    allowed = allowed_types(schema, defs)
    out: list[Any] = []
    for kind, values in SAMPLES.items():
        if kind not in allowed:
            out += values
    # In-type but out of bounds: beyond a declared range, outside an enum, over a length.
    if "enum" in schema:
        out.append("definitely-not-a-member")
    if "maximum" in schema:
        out.append(schema["maximum"] + 1)
    if "minimum" in schema:
        out.append(schema["minimum"] - 1)
    if "maxLength" in schema:
        out.append("y" * (schema["maxLength"] + 1))
    return out


def json_values() -> st.SearchStrategy[Any]:
    """Arbitrary JSON values (finite numbers), nested a little."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=40)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=8,
    )


def random_arguments(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts over the tool's own property names (any subset) and a few unknown ones, any values."""
    names = sorted(schema.get("properties", {}))
    keys = (
        st.sampled_from(names) | st.text(min_size=1, max_size=12) if names else st.text(max_size=12)
    )
    return st.dictionaries(keys, json_values(), max_size=len(names) + 2)
