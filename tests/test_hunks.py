"""The conflict-marker parser: both marker styles, line endings, marker-like content, broken markers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdev_tui.conflicts.hunks import MarkerError, has_markers, marker_kind, parse_conflicts, split_lines

REAL_MERGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-merges-dev.json"

MERGE_STYLE = """header
<<<<<<< HEAD
ours line
=======
theirs line
>>>>>>> feature
middle
<<<<<<< HEAD
=======
added by theirs
>>>>>>> feature
footer
"""

DIFF3_STYLE = """a
<<<<<<< ours
x = 1
||||||| base
x = 0
=======
x = 2
>>>>>>> theirs
b
"""


def test_merge_style_hunks_have_sections_labels_and_lines() -> None:
    parsed = parse_conflicts(MERGE_STYLE)
    first, second = parsed.hunks
    assert (first.ours, first.base, first.theirs) == ("ours line\n", None, "theirs line\n")
    assert (first.ours_label, first.theirs_label) == ("HEAD", "feature")
    assert (first.start_line, first.end_line) == (1, 5)
    assert first.before == "header\n" and first.after == "middle\n"
    assert (second.ours, second.theirs) == ("", "added by theirs\n")
    assert second.base_source == "none"


def test_diff3_style_reads_the_base_section() -> None:
    (hunk,) = parse_conflicts(DIFF3_STYLE).hunks
    assert (hunk.ours, hunk.base, hunk.theirs) == ("x = 1\n", "x = 0\n", "x = 2\n")
    assert hunk.base_label == "base" and hunk.base_source == "markers"


def test_render_replaces_only_resolved_hunks() -> None:
    parsed = parse_conflicts(MERGE_STYLE)
    assert parsed.original() == MERGE_STYLE
    rendered = parsed.render({0: "resolved\n"})
    assert rendered.startswith("header\nresolved\nmiddle\n<<<<<<< HEAD\n")
    assert parsed.render({0: "r\n", 1: ""}) == "header\nr\nmiddle\nfooter\n"


def test_crlf_and_missing_final_newline_round_trip() -> None:
    text = "a\r\n<<<<<<< HEAD\r\nours\r\n=======\r\ntheirs\r\n>>>>>>> b\r\ntail"
    parsed = parse_conflicts(text)
    assert parsed.newline == "\r\n"
    assert parsed.original() == text
    (hunk,) = parsed.hunks
    assert hunk.ours == "ours\r\n" and hunk.theirs_label == "b"


def test_marker_size_from_attributes() -> None:
    text = "<<<<<<<<<< ours\nx\n==========\ny\n>>>>>>>>>> theirs\n<<<<<<< not a marker here\n"
    parsed = parse_conflicts(text, marker_size=10)
    assert [h.ours for h in parsed.hunks] == ["x\n"]
    assert parsed.original() == text


def test_rst_heading_inside_a_section_is_settled_by_the_sides() -> None:
    text = "<<<<<<< HEAD\nTitle 1\n=======\nmore\n=======\nother\n>>>>>>> b\n"
    ours_file, theirs_file = "Title 1\n=======\nmore\n", "other\n"
    guessed = parse_conflicts(text).hunks[0]
    assert guessed.ambiguous and guessed.ours == "Title 1\n"
    settled = parse_conflicts(
        text, sides_ok=lambda o, t: o in ours_file and t in theirs_file and (o, t) == (ours_file, t)
    ).hunks[0]
    assert not settled.ambiguous
    assert (settled.ours, settled.theirs) == ("Title 1\n=======\nmore\n", "other\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<<<<<<< HEAD\nx\n", "no ======= line"),
        ("<<<<<<< HEAD\nx\n=======\ny\n", "never closed"),
        ("x\n>>>>>>> theirs\n", "without an opening"),
        ("<<<<<<< HEAD\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n", "opened again"),
    ],
)
def test_broken_markers_name_the_line(text: str, message: str) -> None:
    with pytest.raises(MarkerError, match=message) as caught:
        parse_conflicts(text)
    assert str(caught.value).startswith("line ")


def test_marker_kinds() -> None:
    assert marker_kind("<<<<<<< HEAD\n") == "<"
    assert marker_kind("=======\r\n") == "="
    assert marker_kind("======= x") is None
    assert marker_kind("<<<<<<<<") is None
    assert marker_kind("|||||||") == "|"
    assert has_markers(MERGE_STYLE) and not has_markers("=======\nplain\n")
    assert has_markers("x\n=======\n>>>>>>> theirs\n")


def test_split_lines_keeps_form_feeds_and_lone_carriage_returns_inside_lines() -> None:
    assert split_lines("a\x0cb\rc\nd") == ["a\x0cb\rc\n", "d"]
    assert split_lines("") == []


_line = st.text(alphabet="ab=<>| \r", max_size=9).map(lambda s: s + "\n")
_section = st.lists(_line, max_size=3).map("".join)


@st.composite
def conflicted_files(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        plain = draw(st.lists(st.sampled_from(["x\n", "y\n", "= z\n", "\n"]), max_size=3))
        parts.append("".join(plain))
        ours, theirs = draw(_section), draw(_section)
        if draw(st.booleans()):
            parts.append(f"<<<<<<< HEAD\n{ours}||||||| base\n{draw(_section)}=======\n{theirs}>>>>>>> b\n")
        else:
            parts.append(f"<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> b\n")
    parts.append(draw(st.sampled_from(["", "end\n", "end"])))
    return "".join(parts)


@settings(max_examples=300)
@given(conflicted_files())
def test_any_parsable_file_renders_back_byte_for_byte(text: str) -> None:
    try:
        parsed = parse_conflicts(text)
    except MarkerError:
        return
    assert parsed.original() == text
    for hunk in parsed.hunks:
        assert split_lines(text)[hunk.start_line].startswith("<<<<<<<")


@pytest.fixture(scope="module")
def real_cases() -> list[dict]:
    if not REAL_MERGES.is_file():
        pytest.skip(f"{REAL_MERGES} is not here (the shared real-merges corpus sits beside the project)")
    return json.loads(REAL_MERGES.read_text(encoding="utf-8"))["cases"]


def test_real_merges_parse_into_the_recorded_hunks_and_round_trip(real_cases: list[dict]) -> None:
    for case in real_cases:
        parsed = parse_conflicts(case["diff3"])
        assert parsed.original() == case["diff3"], case["id"]
        got = [(h.ours, h.base, h.theirs) for h in parsed.hunks]
        assert got == [(h["ours"], h["base"], h["theirs"]) for h in case["hunks"]], case["id"]
