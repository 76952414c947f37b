"""Keyword prefilter: semantics for both implementations, agreement with each other and with a naive
reference, and the dispatcher switch."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdev_tui.cext import _prefilter, _prefilter_py, prefilter

CandidateLine = tuple[int, int, int, tuple[int, ...]]
Scan = Callable[[Sequence[bytes], bytes], list[CandidateLine]]

# The compiled scan cuts inputs of at least this many bytes into parts walked side by side.
PARTS_FROM = 4 * 4096


@pytest.fixture(params=[_prefilter, _prefilter_py], ids=["compiled", "pure"])
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """Each implementation module in turn."""
    return request.param


@pytest.fixture
def scan(impl: ModuleType) -> Scan:
    """``candidate_lines`` of a fresh matcher of each implementation."""
    return lambda keywords, data: impl.KeywordMatcher(keywords).candidate_lines(data)


def naive(keywords: Sequence[bytes], data: bytes) -> list[CandidateLine]:
    """The specification, line by line."""
    out: list[CandidateLine] = []
    start = 0
    for index, line in enumerate(data.split(b"\n")):
        lowered = line.lower()
        found = tuple(i for i, keyword in enumerate(keywords) if keyword in lowered)
        if found:
            out.append((index, start, start + len(line), found))
        start += len(line) + 1
    return out


def keyword_set(count: int, seed: int) -> list[bytes]:
    """``count`` distinct keywords of 3-20 bytes, some sharing prefixes, some holding others."""
    rng = random.Random(seed)
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789_-.:/ "
    keywords: dict[bytes, None] = {}
    while len(keywords) < count:
        if keywords and rng.random() < 0.3:
            base = rng.choice(list(keywords))
            cut = rng.randint(1, len(base))
            keyword = base[:cut] + bytes(rng.choices(alphabet, k=rng.randint(0, 6)))  # shares a prefix
            keyword = (keyword if len(keyword) >= 3 else base)[:20]
        else:
            keyword = bytes(rng.choices(alphabet, k=rng.randint(3, 20)))
        keywords.setdefault(keyword)
    return list(keywords)


def text_with(keywords: Sequence[bytes], size: int, seed: int) -> bytes:
    """About ``size`` bytes of lines of filler, with keywords (in random case) sprinkled in."""
    rng = random.Random(seed)
    filler = b"the quick brown fox jumps over the lazy dog ()[]{}=,;\t\xc3\xa9\xff"
    lines: list[bytes] = []
    total = 0
    while total < size:
        parts = [bytes(rng.choices(filler, k=rng.randint(0, 30)))]
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            keyword = rng.choice(keywords)
            parts.append(bytes(c ^ 0x20 if 97 <= c <= 122 and rng.random() < 0.5 else c for c in keyword))
            parts.append(bytes(rng.choices(filler, k=rng.randint(0, 10))))
        line = b"".join(parts) + rng.choice([b"", b"\r"])
        lines.append(line)
        total += len(line) + 1
    return b"\n".join(lines)


# --- semantics ------------------------------------------------------------------------------------------


def test_one_line(scan: Scan) -> None:
    assert scan([b"token"], b"api token here") == [(0, 0, 14, (0,))]


def test_no_match(scan: Scan) -> None:
    assert scan([b"token", b"secret"], b"nothing\nto see\nhere\n") == []


def test_empty_data(scan: Scan) -> None:
    assert scan([b"token"], b"") == []


def test_no_keywords(scan: Scan) -> None:
    assert scan([], b"token\nsecret") == []


@pytest.mark.parametrize("data", [b"TOKEN", b"Token", b"tOkEn", b"token"])
def test_ascii_case_is_ignored(scan: Scan, data: bytes) -> None:
    assert scan([b"token"], data) == [(0, 0, 5, (0,))]


def test_case_folding_is_letters_only(scan: Scan) -> None:
    # Neighbours of the letters differ from their "case twin" by 0x20 too, but are not letters.
    keywords = [b"[x]", b"{x}", b"@x", b"`x", b"\xe1x"]
    assert scan(keywords, b"[X]") == [(0, 0, 3, (0,))]
    assert scan(keywords, b"{X}") == [(0, 0, 3, (1,))]
    assert scan(keywords, b"@X\n`X") == [(0, 0, 2, (2,)), (1, 3, 5, (3,))]
    assert scan(keywords, b"\xc1X") == []  # Latin-1 upper-case A acute: bytes >= 0x80 match exactly
    assert scan(keywords, b"\xe1X") == [(0, 0, 2, (4,))]


def test_overlapping_keywords(scan: Scan) -> None:
    keywords = [b"sk-", b"sk-ant-", b"token", b"_token"]
    assert scan(keywords, b"key = sk-ant-api03") == [(0, 0, 18, (0, 1))]
    assert scan(keywords, b"key = sk-proj") == [(0, 0, 13, (0,))]
    assert scan(keywords, b"GITHUB_TOKEN=1") == [(0, 0, 14, (2, 3))]
    assert scan(keywords, b"token=1") == [(0, 0, 7, (2,))]


def test_keyword_prefix_and_suffix_of_others(scan: Scan) -> None:
    keywords = [b"pass", b"passw", b"password", b"word", b"or"]
    assert scan(keywords, b"PASSWORD") == [(0, 0, 8, (0, 1, 2, 3, 4))]
    assert scan(keywords, b"passwd") == [(0, 0, 6, (0, 1))]
    assert scan(keywords, b"pas sword") == [(0, 0, 9, (3, 4))]


def test_keyword_inside_a_failed_longer_match(scan: Scan) -> None:
    # "abcx" fails the long keyword after "abc", but "bc" and "c" end inside it (failure links).
    assert scan([b"abcd", b"bc", b"c"], b"abcx") == [(0, 0, 4, (1, 2))]
    assert scan([b"aab"], b"aaab") == [(0, 0, 4, (0,))]


def test_repeated_and_overlapping_occurrences(scan: Scan) -> None:
    assert scan([b"aa", b"aaa"], b"aaaa\nxaax") == [(0, 0, 4, (0, 1)), (1, 5, 9, (0,))]


def test_duplicate_keywords_report_every_index(scan: Scan) -> None:
    assert scan([b"token", b"pwd", b"token"], b"TOKEN\npwd") == [(0, 0, 5, (0, 2)), (1, 6, 9, (1,))]


def test_keywords_at_the_start_and_end_of_data(scan: Scan) -> None:
    data = b"token and\nmore\nsecret"
    assert scan([b"token", b"secret"], data) == [(0, 0, 9, (0,)), (2, 15, 21, (1,))]
    assert data[15:21] == b"secret"


def test_trailing_newline_and_empty_lines(scan: Scan) -> None:
    assert scan([b"key"], b"\n\nkey\n\n") == [(2, 2, 5, (0,))]
    assert scan([b"key"], b"\n\nkey") == [(2, 2, 5, (0,))]


def test_single_character_keywords(scan: Scan) -> None:
    assert scan([b"x", b"y"], b"x\ny\nz\nYX") == [(0, 0, 1, (0,)), (1, 2, 3, (1,)), (3, 6, 8, (0, 1))]


def test_crlf_keeps_the_carriage_return_inside_the_line(scan: Scan) -> None:
    data = b"first\r\napi_token=abc\r\nlast\r\n"
    assert scan([b"token"], data) == [(1, 7, 21, (0,))]
    assert data[7:21] == b"api_token=abc\r"  # lines are split on \n only
    # A keyword may even end with the \r (only \n is refused).
    assert scan([b"abc\r"], data) == [(1, 7, 21, (0,))]


def test_lone_carriage_return_does_not_split_lines(scan: Scan) -> None:
    assert scan([b"b"], b"a\rb\nc") == [(0, 0, 3, (0,))]


def test_non_ascii_keywords_and_invalid_utf8(scan: Scan) -> None:
    keywords = ["café".encode(), b"\xff\xfe", "ключ".encode()]
    data = b"CAF\xc3\xa9 \xff\xfe\n\x80\x81 \xd0\xba\xd0\xbb\xd1\x8e\xd1\x87 \xc3(\nCAF\xc3\x89"
    assert scan(keywords, data) == [(0, 0, 8, (0, 1)), (1, 9, 23, (2,))]  # "É" is not folded to "é"


def test_nul_bytes(scan: Scan) -> None:
    assert scan([b"a\x00b"], b"\x00\x00A\x00B\x00") == [(0, 0, 6, (0,))]


def test_long_line_without_newline(scan: Scan) -> None:
    data = b"token" + b"x" * (3 * PARTS_FROM) + b"SECRET" + b"y" * PARTS_FROM + b"pwd"
    assert scan([b"token", b"secret", b"pwd"], data) == [(0, 0, len(data), (0, 1, 2))]


def test_large_input_with_many_lines(scan: Scan) -> None:
    keywords = [b"token", b"_token", b"secret", b"sk-", b"sk-ant-", b"passw", b"://"]
    data = text_with(keywords, 5 * PARTS_FROM, seed=5)
    expected = naive(keywords, data)
    assert len(expected) > 100
    assert scan(keywords, data) == expected


@pytest.mark.parametrize("shift", [-2, -1, 0, 1, 2])
def test_hits_next_to_the_part_cuts(scan: Scan, shift: int) -> None:
    # Lines of equal length; the cuts fall after the first newline past each quarter of the input.
    line = b"k" * 63 + b"\n"
    lines = [line] * (2 * PARTS_FROM // len(line))
    for quarter in range(1, 4):
        at = len(lines) * quarter // 4 + shift
        lines[at] = b"token" + b"k" * 53 + b"secret\n"
    data = b"".join(lines)
    assert scan([b"token", b"secret", b"kk"], data) == naive([b"token", b"secret", b"kk"], data)


def test_three_hundred_keywords(scan: Scan) -> None:
    keywords = keyword_set(300, seed=7)
    assert len(keywords) == 300
    assert all(3 <= len(k) <= 20 for k in keywords)
    for size, seed in [(2_000, 1), (3 * PARTS_FROM, 2)]:
        data = text_with(keywords, size, seed)
        expected = naive(keywords, data)
        assert len({i for *_, found in expected for i in found}) > 20
        assert scan(keywords, data) == expected


def test_matcher_is_reusable(impl: ModuleType) -> None:
    matcher = impl.KeywordMatcher([b"token", b"secret"])
    for data in [b"token\nsecret", b"", b"SECRET token", b"token\nsecret"]:
        assert matcher.candidate_lines(data) == naive([b"token", b"secret"], data)
    assert matcher.keywords == (b"token", b"secret")


def test_any_buffer(scan: Scan) -> None:
    expected = [(1, 3, 8, (0,))]
    assert scan([b"token"], bytearray(b"ab\nToken")) == expected
    assert scan([b"token"], memoryview(b"ab\nToken")) == expected
    assert scan([b"token"], memoryview(b"xaxbx\nxTxoxkxexn")[1::2]) == expected  # not contiguous


def test_rejects_text(scan: Scan) -> None:
    with pytest.raises(TypeError):
        scan([b"token"], "token")  # type: ignore[arg-type]


def test_results_are_plain_types(scan: Scan) -> None:
    result = scan([b"a", b"b"], b"xx\nab")
    assert type(result) is list
    (line,) = result
    assert type(line) is tuple and type(line[3]) is tuple
    assert [type(v) for v in (*line[:3], *line[3])] == [int] * 5


@pytest.mark.parametrize(
    ("keyword", "message"),
    [
        (b"", r"keyword 1 is empty"),
        (b"Token", r"keyword 1 \(b'Token'\) must be lower-case"),
        (b"sk-ANT", r"keyword 1 \(b'sk-ANT'\) must be lower-case"),
        (b"a\nb", r"keyword 1 \(b'a\\nb'\) holds a newline"),
    ],
)
def test_bad_keywords(impl: ModuleType, keyword: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        impl.KeywordMatcher([b"ok", keyword])


def test_keywords_must_be_bytes(impl: ModuleType) -> None:
    with pytest.raises(TypeError, match="keyword 0 must be bytes, not str"):
        impl.KeywordMatcher(["token"])  # type: ignore[list-item]


def test_threads_scanning_at_once(impl: ModuleType) -> None:
    keywords = keyword_set(50, seed=3)
    matcher = impl.KeywordMatcher(keywords)
    texts = [text_with(keywords, 2 * PARTS_FROM, seed) for seed in range(4)]
    expected = [matcher.candidate_lines(text) for text in texts]
    results: dict[int, list[list[CandidateLine]]] = {}

    def work(index: int) -> None:
        results[index] = [matcher.candidate_lines(texts[index]) for _ in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == [expected[i]] * 3 for i in range(len(texts)))


# --- both implementations agree with the naive reference ------------------------------------------------

KEYWORD_BYTES = b"ab-\r \xc3\xa9\xff"
DATA_BYTES = b"abAB-\r\n \xc3\xa9\x89\xff[{"

keywords_strategy = st.lists(
    st.binary(min_size=1, max_size=4).map(lambda b: bytes(KEYWORD_BYTES[c % len(KEYWORD_BYTES)] for c in b)),
    min_size=1,
    max_size=8,
)
data_strategy = st.binary(max_size=200).map(lambda b: bytes(DATA_BYTES[c % len(DATA_BYTES)] for c in b))


@settings(max_examples=500)
@given(keywords_strategy, data_strategy)
def test_implementations_agree_with_the_reference(keywords: list[bytes], data: bytes) -> None:
    expected = naive(keywords, data)
    assert _prefilter.KeywordMatcher(keywords).candidate_lines(data) == expected
    assert _prefilter_py.KeywordMatcher(keywords).candidate_lines(data) == expected


@settings(max_examples=40, deadline=None)
@given(keywords_strategy, st.lists(data_strategy, min_size=1, max_size=8), st.integers(0, 2**32))
def test_implementations_agree_on_large_inputs(keywords: list[bytes], chunks: list[bytes], seed: int) -> None:
    # The chunks shuffled into an input large enough for the compiled scan to cut it into parts.
    rng = random.Random(seed)
    pieces: list[bytes] = []
    size = 0
    while size < PARTS_FROM + 1000:
        piece = rng.choice(chunks) + rng.choice([b"", b"\n"])
        pieces.append(piece)
        size += len(piece) + 1
    data = b"".join(pieces)
    expected = naive(keywords, data)
    assert _prefilter.KeywordMatcher(keywords).candidate_lines(data) == expected
    assert _prefilter_py.KeywordMatcher(keywords).candidate_lines(data) == expected


# --- the dispatcher -------------------------------------------------------------------------------------


def test_compiled_module_is_a_built_extension() -> None:
    assert Path(_prefilter.__file__).suffix in {".so", ".pyd"}


def test_dispatcher_binds_the_implementation_it_reports() -> None:
    expected = "pure" if os.environ.get("CDEV_TUI_PURE") == "1" else "compiled"
    module = _prefilter_py if expected == "pure" else _prefilter
    implementation = prefilter.IMPLEMENTATION
    assert implementation == expected
    assert prefilter.KeywordMatcher is module.KeywordMatcher
    assert prefilter.check_keywords is module.check_keywords


def _dispatcher_in_subprocess(
    tmp_path: Path, env: dict[str, str], prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """Import the dispatcher in a fresh interpreter with ``env`` on top of a copy without the switches."""
    base = {k: v for k, v in os.environ.items() if k not in {"CDEV_TUI_PURE", "CDEV_TUI_REQUIRE_EXT"}}
    code = (
        f"{prelude}\nfrom cdev_tui.cext import prefilter\n"
        "matcher = prefilter.KeywordMatcher([b'token'])\n"
        "print(prefilter.IMPLEMENTATION, type(matcher).__module__, matcher.candidate_lines(b'x\\nTOKEN'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True
    )


def test_dispatcher_picks_compiled_by_default(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["compiled", "cdev_tui.cext._prefilter", "[(1,", "2,", "7,", "(0,))]"]


def test_dispatcher_picks_pure_when_asked(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {"CDEV_TUI_PURE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["pure", "cdev_tui.cext._prefilter_py", "[(1,", "2,", "7,", "(0,))]"]


BLOCK_EXTENSION = "import sys; sys.modules['cdev_tui.cext._prefilter'] = None"


def test_dispatcher_falls_back_when_extension_is_missing(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {}, prelude=BLOCK_EXTENSION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "pure"


def test_dispatcher_refuses_fallback_when_extension_is_required(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {"CDEV_TUI_REQUIRE_EXT": "1"}, prelude=BLOCK_EXTENSION)
    assert result.returncode != 0
    assert "ImportError: CDEV_TUI_REQUIRE_EXT=1" in result.stderr
    assert "cdev_tui.cext._prefilter" in result.stderr
