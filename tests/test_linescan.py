"""Line scanners: semantics for both implementations, agreement between them, and the dispatcher switch."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdev_tui.cext import _linescan, _linescan_py, linescan

ChecklistItems = Callable[[str], list[tuple[int, bool, str]]]
ChecklistCounts = Callable[[str], tuple[int, int]]
ConflictRegions = Callable[[str], list[tuple[int, int, int, int]]]


@pytest.fixture(params=[_linescan, _linescan_py], ids=["compiled", "pure"])
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """Each implementation module in turn."""
    return request.param


@pytest.fixture
def checklist_items(impl: ModuleType) -> ChecklistItems:
    """``checklist_items`` of each implementation."""
    return impl.checklist_items


@pytest.fixture
def checklist_counts(impl: ModuleType) -> ChecklistCounts:
    """``checklist_counts`` of each implementation."""
    return impl.checklist_counts


@pytest.fixture
def conflict_regions(impl: ModuleType) -> ConflictRegions:
    """``conflict_regions`` of each implementation."""
    return impl.conflict_regions


# --- checklist_items ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1. [ ] Do it", (False, "Do it")),
        ("  - [X] done ", (True, "done")),
        ("[x]", (True, "")),
        ("[ ]", (False, "")),
        ("12) [x] a", (True, "a")),
        ("1.[ ] a", (False, "a")),
        ("* [x] star", (True, "star")),
        ("+ [ ] plus", (False, "plus")),
        ("\t\t- [ ] tabbed", (False, "tabbed")),
        (" \t 3) [X] mixed indent", (True, "mixed indent")),
        ("-    [ ]   many spaces   ", (False, "many spaces")),
        ("[x]no space after box", (True, "no space after box")),
        ("- [ ] [x] nested box text", (False, "[x] nested box text")),
        ("- [ ] café ☕ 日本", (False, "café ☕ 日本")),
        ("- [ ] trailing unicode space\u3000", (False, "trailing unicode space")),
        ("007. [ ] zeros", (False, "zeros")),
    ],
)
def test_checklist_item_lines(checklist_items: ChecklistItems, line: str, expected: tuple[bool, str]) -> None:
    assert checklist_items(line) == [(0, *expected)]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "# Heading",
        "plain text [ ] later",
        "x. [ ] letter marker",
        "1 [ ] digits without dot",
        "[] empty box",
        "[y] wrong mark",
        "[  ] two spaces",
        "-- [ ] double dash",
        "- - [ ] two markers",
        "1.) [ ] two terminators",
        "-\t[ ] tab after marker",
        "[x",
        "- [",
        "\u0661. [ ] arabic-indic digit",
        "\u00a0- [ ] non-breaking indent",
    ],
)
def test_non_item_lines(checklist_items: ChecklistItems, line: str) -> None:
    assert checklist_items(line) == []


def test_checklist_line_indices_and_line_endings(checklist_items: ChecklistItems) -> None:
    text = "# Plan\r\n\r\n- [ ] first\r\nnote\r\n  1. [x] second\r\n- [X] last\r"
    assert checklist_items(text) == [(2, False, "first"), (4, True, "second"), (5, True, "last")]


def test_checklist_lone_cr_does_not_split_lines(checklist_items: ChecklistItems) -> None:
    assert checklist_items("- [ ] a\r- [x] b\n[x] c") == [(0, False, "a\r- [x] b"), (1, True, "c")]


def test_checklist_empty_text(checklist_items: ChecklistItems) -> None:
    assert checklist_items("") == []


def test_checklist_results_are_plain_types(checklist_items: ChecklistItems) -> None:
    (item,) = checklist_items("- [x] a")
    assert type(item) is tuple
    assert [type(value) for value in item] == [int, bool, str]


# --- checklist_counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, 0)),
        ("# Plan\n\nJust notes, [ ] and [x] in the middle of lines.\n", (0, 0)),
        ("- [ ] a", (0, 1)),
        ("- [x] a", (1, 1)),
        ("1. [X] a\n2. [x] b\n3. [ ] c\n", (2, 3)),
        ("# Plan\r\n\r\n- [ ] first\r\nnote\r\n  1. [x] second\r\n- [X] last\r", (2, 3)),
        ("- [ ] a\r- [x] b\n[x] c", (1, 2)),  # a lone \r does not end a line
        ("[x]\n[ ]\n[]\n[y]\n- - [x]\n-\t[x]\n[x", (1, 2)),
        ("- [ ] café ☕\n- [x] 日本\n- [x] 😀\n", (2, 3)),
    ],
)
def test_checklist_counts(checklist_counts: ChecklistCounts, text: str, expected: tuple[int, int]) -> None:
    assert checklist_counts(text) == expected


def test_checklist_counts_result_is_a_plain_tuple(checklist_counts: ChecklistCounts) -> None:
    counts = checklist_counts("- [x] a\n- [ ] b")
    assert type(counts) is tuple
    assert [type(value) for value in counts] == [int, int]


def test_checklist_counts_rejects_non_str(checklist_counts: ChecklistCounts) -> None:
    with pytest.raises(TypeError):
        checklist_counts(b"- [x] a")  # type: ignore[arg-type]


# --- conflict_regions -----------------------------------------------------------------------------------

TWO_WAY = """\
keep
<<<<<<< HEAD
ours
=======
theirs
>>>>>>> feature
tail
"""

DIFF3 = """\
<<<<<<< HEAD
ours
||||||| merged common ancestors
base
=======
theirs
>>>>>>> feature"""


def test_two_way_region(conflict_regions: ConflictRegions) -> None:
    assert conflict_regions(TWO_WAY) == [(1, -1, 3, 5)]


def test_diff3_region_without_trailing_newline(conflict_regions: ConflictRegions) -> None:
    assert conflict_regions(DIFF3) == [(0, 2, 4, 6)]


def test_several_regions_and_crlf(conflict_regions: ConflictRegions) -> None:
    text = (TWO_WAY + DIFF3 + "\n").replace("\n", "\r\n")
    assert conflict_regions(text) == [(1, -1, 3, 5), (7, 9, 11, 13)]


@pytest.mark.parametrize(
    "text",
    [
        "<<<<<<<\n=======\n>>>>>>>",
        "<<<<<<< x\n=======\n>>>>>>> y",
        "<<<<<<<\r\n=======\r\n>>>>>>>\r\n",
        "<<<<<<< \n=======\n>>>>>>> ",
    ],
)
def test_bare_and_labelled_markers(conflict_regions: ConflictRegions, text: str) -> None:
    assert conflict_regions(text) == [(0, -1, 1, 2)]


@pytest.mark.parametrize(
    "opener",
    ["<<<<<<<< x", "<<<<<< x", "<<<<<<<x", "<<<<<<<\tx", " <<<<<<< x", "<<<<<<<\r\r", "<<<<<<<\u00a0x"],
)
def test_not_an_opener(conflict_regions: ConflictRegions, opener: str) -> None:
    assert conflict_regions(f"{opener}\n=======\n>>>>>>> y\n") == []


@pytest.mark.parametrize("middle", ["======= x", "======= ", "========", "======", "=======\r\r"])
def test_middle_must_end_the_line(conflict_regions: ConflictRegions, middle: str) -> None:
    assert conflict_regions(f"<<<<<<< a\n{middle}\n>>>>>>> b\n") == []


@pytest.mark.parametrize("closer", [">>>>>>>> b", ">>>>>>>b", ">>>>>>", " >>>>>>> b"])
def test_not_a_closer(conflict_regions: ConflictRegions, closer: str) -> None:
    assert conflict_regions(f"<<<<<<< a\n=======\n{closer}\n") == []


def test_new_opener_restarts_region(conflict_regions: ConflictRegions) -> None:
    text = "<<<<<<< a\n|||||||\n=======\n<<<<<<< b\nx\n=======\ny\n>>>>>>> c\n"
    assert conflict_regions(text) == [(3, -1, 5, 7)]


def test_out_of_sequence_markers_are_ordinary_lines(conflict_regions: ConflictRegions) -> None:
    text = "\n".join(
        [
            ">>>>>>> stray closer",  # 0
            "=======",  # 1: no opener yet
            "||||||| stray base",  # 2
            "<<<<<<< HEAD",  # 3
            ">>>>>>> closer before middle",  # 4
            "=======",  # 5
            "||||||| base after middle",  # 6
            "=======",  # 7: second middle
            ">>>>>>> theirs",  # 8
            ">>>>>>> after close",  # 9
        ]
    )
    assert conflict_regions(text) == [(3, -1, 5, 8)]


def test_only_the_first_base_marker_counts(conflict_regions: ConflictRegions) -> None:
    text = "<<<<<<<\n|||||||\n|||||||\n=======\n>>>>>>>\n"
    assert conflict_regions(text) == [(0, 1, 3, 4)]


@pytest.mark.parametrize(
    "text",
    ["", "<<<<<<< a\nours\n=======\ntheirs\n", "<<<<<<< a\n=======\n", "<<<<<<< a\n", "=======\n>>>>>>> b"],
)
def test_unterminated_region_is_dropped(conflict_regions: ConflictRegions, text: str) -> None:
    assert conflict_regions(text) == []


def test_complete_region_kept_when_a_later_one_is_unterminated(conflict_regions: ConflictRegions) -> None:
    assert conflict_regions(TWO_WAY + "<<<<<<< again\nx\n=======\n") == [(1, -1, 3, 5)]


def test_non_ascii_text_around_markers(conflict_regions: ConflictRegions) -> None:
    text = "é\n<<<<<<< 分支\n😀\n=======\nж\n>>>>>>> ветка\n"
    assert conflict_regions(text) == [(1, -1, 3, 5)]


@pytest.mark.parametrize("char", ["a", "é", "ж", "😀"], ids=["ascii", "latin-1", "ucs-2", "ucs-4"])
def test_long_document_in_every_string_width(
    checklist_items: ChecklistItems,
    checklist_counts: ChecklistCounts,
    conflict_regions: ConflictRegions,
    char: str,
) -> None:
    lines: list[str] = []
    expected_regions: list[tuple[int, int, int, int]] = []
    expected_items: list[tuple[int, bool, str]] = []
    for block in range(40):
        lines.extend(f"{char * (block % 7) * 9} line {n}" for n in range(block % 5 + 1))
        expected_items.append((len(lines), block % 2 == 0, f"task {char}{block}"))
        lines.append(f"- [{'x' if block % 2 == 0 else ' '}] task {char}{block}")
        start = len(lines)
        lines.extend(["<<<<<<< ours", char * 60, "||||||| base", char * 3, "=======", char, ">>>>>>> theirs"])
        expected_regions.append((start, start + 2, start + 4, start + 6))
    text = "\r\n".join(lines)
    assert conflict_regions(text) == expected_regions
    assert checklist_items(text) == expected_items
    assert checklist_counts(text) == (20, 40)


def test_str_subclass(
    checklist_items: ChecklistItems, checklist_counts: ChecklistCounts, conflict_regions: ConflictRegions
) -> None:
    class Text(str):
        pass

    assert checklist_items(Text("x\n- [x] a ")) == [(1, True, "a")]
    assert checklist_counts(Text("x\n- [x] a ")) == (1, 1)
    assert conflict_regions(Text("<<<<<<<\n=======\n>>>>>>>")) == [(0, -1, 1, 2)]


# --- the two implementations agree on arbitrary text ----------------------------------------------------

MARKERISH_LINES = [
    "<<<<<<<",
    "<<<<<<< HEAD",
    "<<<<<<<< long",
    "<<<<<<",
    "|||||||",
    "||||||| base",
    "=======",
    "======= x",
    "========",
    ">>>>>>>",
    ">>>>>>> branch",
    ">>>>>>>>",
    "- [ ] todo",
    "  * [x] done",
    "12) [X] numbered",
    "1.[ ]",
    "[x]",
    "[]",
    "[y] no",
    "x. [ ] no",
    "- [ ] ünïcödé ✓ ",
    "",
    " ",
    "\t",
    "plain text",
]

line_text = st.one_of(
    st.sampled_from(MARKERISH_LINES),
    st.text(alphabet=st.characters(exclude_characters="\n"), max_size=12),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(MARKERISH_LINES),
        st.text(alphabet=" \t\rxX[]<>|=.)-*+0123456789é😀\u3000\u00a0", max_size=4),
    ),
)

document = st.builds(
    lambda lines, newline, trailing: newline.join(lines) + (newline if trailing else ""),
    st.lists(line_text, max_size=40),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)

any_text = st.one_of(document, st.text())


@settings(max_examples=400)
@given(any_text)
def test_checklist_items_implementations_agree(text: str) -> None:
    assert _linescan.checklist_items(text) == _linescan_py.checklist_items(text)


@settings(max_examples=400)
@given(any_text)
def test_checklist_counts_implementations_agree(text: str) -> None:
    assert _linescan.checklist_counts(text) == _linescan_py.checklist_counts(text)


@pytest.mark.parametrize("impl", [_linescan, _linescan_py], ids=["compiled", "pure"])
@settings(max_examples=400)
@given(text=any_text)
def test_checklist_counts_match_checklist_items(impl: ModuleType, text: str) -> None:
    items = impl.checklist_items(text)
    assert impl.checklist_counts(text) == (sum(checked for _, checked, _ in items), len(items))


@settings(max_examples=400)
@given(any_text)
def test_conflict_regions_implementations_agree(text: str) -> None:
    assert _linescan.conflict_regions(text) == _linescan_py.conflict_regions(text)


@given(document)
def test_checklist_items_point_at_item_lines(text: str) -> None:
    lines = text.split("\n")
    items = _linescan.checklist_items(text)
    assert [index for index, _, _ in items] == sorted({index for index, _, _ in items})
    for index, checked, item in items:
        line = lines[index]
        assert ("[x]" in line or "[X]" in line) if checked else "[ ]" in line
        assert item == item.strip()
        assert item in line


@given(document)
def test_conflict_regions_are_ordered_marker_lines(text: str) -> None:
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    previous_end = -1
    for start, base, middle, end in _linescan.conflict_regions(text):
        assert previous_end < start < middle < end
        assert lines[start].startswith("<" * 7)
        assert lines[middle] == "=" * 7
        assert lines[end].startswith(">" * 7)
        if base >= 0:
            assert start < base < middle
            assert lines[base].startswith("|" * 7)
        previous_end = end


# --- the dispatcher -------------------------------------------------------------------------------------


def test_compiled_module_is_a_built_extension() -> None:
    assert Path(_linescan.__file__).suffix in {".so", ".pyd"}


def test_dispatcher_binds_the_implementation_it_reports() -> None:
    expected = "pure" if os.environ.get("CDEV_TUI_PURE") == "1" else "compiled"
    module = _linescan_py if expected == "pure" else _linescan
    implementation = linescan.IMPLEMENTATION
    assert implementation == expected
    assert linescan.checklist_items is module.checklist_items
    assert linescan.checklist_counts is module.checklist_counts
    assert linescan.conflict_regions is module.conflict_regions


def _dispatcher_in_subprocess(
    tmp_path: Path, env: dict[str, str], prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """Import the dispatcher in a fresh interpreter with ``env`` on top of a copy without the switches."""
    base = {k: v for k, v in os.environ.items() if k not in {"CDEV_TUI_PURE", "CDEV_TUI_REQUIRE_EXT"}}
    code = f"{prelude}\nfrom cdev_tui.cext import linescan\nprint(linescan.IMPLEMENTATION)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True
    )


def test_dispatcher_picks_compiled_by_default(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "compiled"


def test_dispatcher_picks_pure_when_asked(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {"CDEV_TUI_PURE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"


BLOCK_EXTENSION = "import sys; sys.modules['cdev_tui.cext._linescan'] = None"


def test_dispatcher_falls_back_when_extension_is_missing(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {}, prelude=BLOCK_EXTENSION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"


def test_dispatcher_refuses_fallback_when_extension_is_required(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {"CDEV_TUI_REQUIRE_EXT": "1"}, prelude=BLOCK_EXTENSION)
    assert result.returncode != 0
    assert "ImportError: CDEV_TUI_REQUIRE_EXT=1" in result.stderr
    assert "cdev_tui.cext._linescan" in result.stderr
