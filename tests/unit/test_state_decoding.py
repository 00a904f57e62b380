"""A stored state decodes to what the standard library's JSON decoder gives, whichever
decoder the log reader uses for it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.store.reading import _json_object

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(value=st.dictionaries(st.text(), json_values, max_size=6))
def test_a_state_decodes_as_the_standard_library_decodes_it(value: dict) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        assert repr(_json_object(text.encode("utf-8", "surrogatepass"))) == repr(json.loads(text))


@pytest.mark.parametrize("text", [
    '{"a": 123456789012345678901234567890}',  # beyond 64 bits: orjson would make a float
    '{"a": "\\ud800"}',  # a lone surrogate: orjson refuses it
    '{"a": NaN}',
    '{"a": [1, {"b": 1e400}]}',
])
def test_what_the_fast_decoder_cannot_give_exactly_comes_from_the_standard_library(
        text: str) -> None:
    assert repr(_json_object(text.encode())) == repr(json.loads(text))
