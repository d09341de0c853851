"""Hostile input for the property-based tests: hypothesis strategies plus the cases the
team promised to cover explicitly, and helpers to check "stored exactly or refused"."""

from contextlib import contextmanager
from urllib.parse import quote

from django.db import transaction
from hypothesis import example
from hypothesis import strategies as st

EDGE_TEXTS = [
    "",
    " ",
    "\t\r\n",
    "\xa0\xa0",  # non-breaking spaces
    "\u200b",  # zero-width space
    "\u200b\u2060\ufeff\xa0 ",  # zero-width joiner-likes and a BOM
    "x" * 199,
    "x" * 200,
    "x" * 201,
    "y" * 10_000,
    "a\x00b",  # NUL: PostgreSQL refuses it in text
    "\x01\x07\x1b[31mred\x7f",  # control characters, an ANSI escape
    "\u202eevil\u202c.txt",  # right-to-left override
    "שלום עולם مرحبا",  # right-to-left scripts
    "e\u0301\u0301\u0301 Z\u0335\u0321\u0322",  # combining characters
    "👩\u200d👩\u200d👧\u200d👦 🎉",  # emoji and a ZWJ sequence
    "😀" * 200,
    "😀" * 201,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request }}{% debug %}",
    "'; DROP TABLE tasks; --",
    "1' OR '1'='1",
    "%00%ff\\x00",
    "\ud7ff\ue000\U0010fffd",  # edges of the valid code points
]

# Text of any length around the limits, from any Unicode category but surrogates.
texts = st.one_of(
    st.sampled_from(EDGE_TEXTS),
    st.text(max_size=50),
    st.text(min_size=195, max_size=205),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=1005).filter(lambda t: len(t) > 990),
)

PAGE_NUMBERS = ["", "0", "1", "2", "-1", "-0", "1e3", "9" * 30, "2.5", "NaN", "last", "⑤", "\x00"]
page_numbers = st.one_of(st.sampled_from(PAGE_NUMBERS), st.integers().map(str), texts)

MALFORMED_IDS = [
    "",
    "0",
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000",  # one digit short
    "00000000-0000-0000-0000-0000000000000",  # one digit long
    "gggggggg-gggg-gggg-gggg-gggggggggggg",
    "{12345678-1234-5678-1234-567812345678}",
    "12345678123456781234567812345678",
    "../../etc/passwd",
    "%00",
    "'; DROP TABLE tasks; --",
]
path_segments = st.one_of(st.sampled_from(MALFORMED_IDS), st.text(min_size=1, max_size=60))


def url_segment(text: str) -> str:
    """`text` as one URL path segment (percent-encoded, slashes included)."""
    return quote(text, safe="")


def with_edge_examples(*names, **fixed):
    """Decorate a @given test so that every EDGE_TEXTS value is tried, in all of `names` at
    once (other arguments take `fixed`): the listed cases always run, whatever hypothesis picks."""

    def decorate(test):
        for value in EDGE_TEXTS:
            test = example(**dict.fromkeys(names, value), **fixed)(test)
        return test

    return decorate


@contextmanager
def rolled_back():
    """One example's database changes, undone afterwards (a savepoint in the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Invalid UTF-8 in a form body: lone continuation bytes, an overlong encoding, a truncated
# sequence, a surrogate encoded in UTF-8.
INVALID_UTF8_BODIES = [
    b"title=%FF%FE&description=%C0%AF",
    b"title=\xff\xfe\xfd",
    b"title=ok&description=%E2%82",
    b"title=%ED%A0%80",
]
