"""Diffs: semantics for both implementations, agreement between them, and the dispatcher switch."""

from __future__ import annotations

import difflib
import os
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdev_tui.cext import _diff, _diff_py, diff

Opcode = tuple[int, int, int, int, int]
Chunk = tuple[int, int, int, int, int, int, int]
DiffIds = Callable[[list[int], list[int]], list[Opcode]]
Merge3Ids = Callable[[list[int], list[int], list[int]], list[Chunk]]

EQUAL, REPLACE, DELETE, INSERT = 0, 1, 2, 3
STABLE, OURS, THEIRS, BOTH, CONFLICT = 0, 1, 2, 3, 4


@pytest.fixture(params=[_diff, _diff_py], ids=["compiled", "pure"])
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """Each implementation module in turn."""
    return request.param


@pytest.fixture
def diff_ids(impl: ModuleType) -> DiffIds:
    """``diff_ids`` of each implementation."""
    return impl.diff_ids


@pytest.fixture
def merge3_ids(impl: ModuleType) -> Merge3Ids:
    """``merge3_ids`` of each implementation."""
    return impl.merge3_ids


@pytest.fixture
def dispatcher(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The dispatcher module with each implementation bound in turn."""
    monkeypatch.setattr(diff, "diff_ids", impl.diff_ids)
    monkeypatch.setattr(diff, "merge3_ids", impl.merge3_ids)
    return diff


# --- helpers --------------------------------------------------------------------------------------------


def assert_valid_opcodes(a: Sequence[object], b: Sequence[object], opcodes: Sequence[tuple]) -> None:
    """The opcodes cover ``a`` and ``b`` in order, are tagged truthfully, are merged, and rebuild ``b``."""
    i = j = 0
    previous_equal: bool | None = None
    rebuilt: list[object] = []
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (i, j)
        assert i1 <= i2 and j1 <= j2
        if tag == EQUAL:
            assert a[i1:i2] == b[j1:j2] and i2 > i1
        elif tag == REPLACE:
            assert i2 > i1 and j2 > j1
        elif tag == DELETE:
            assert i2 > i1 and j2 == j1
        else:
            assert tag == INSERT and i2 == i1 and j2 > j1
        assert previous_equal is None or previous_equal != (tag == EQUAL), "touching opcodes of one kind"
        previous_equal = tag == EQUAL
        rebuilt.extend(a[i1:i2] if tag == EQUAL else b[j1:j2])
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    assert rebuilt == list(b)


def changed_count(opcodes: Sequence[Opcode]) -> int:
    """How many elements of ``a`` and ``b`` the opcodes do not keep."""
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in opcodes if tag != EQUAL)


def lcs_length(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of a longest common subsequence, by the textbook O(NM) table."""
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for j, y in enumerate(b):
            above = row[j + 1]
            row[j + 1] = diagonal + 1 if x == y else max(above, row[j])
            diagonal = above
    return row[-1]


def assert_valid_chunks(base: list[int], ours: list[int], theirs: list[int], chunks: Sequence[Chunk]) -> None:
    """The chunks cover all three lists in order, alternate stable/changed, and each kind says the truth."""
    b = o = t = 0
    previous_stable: bool | None = None
    for kind, b1, b2, o1, o2, t1, t2 in chunks:
        assert (b1, o1, t1) == (b, o, t)
        assert b1 <= b2 and o1 <= o2 and t1 <= t2
        base_part, ours_part, theirs_part = base[b1:b2], ours[o1:o2], theirs[t1:t2]
        if kind == STABLE:
            assert base_part and base_part == ours_part == theirs_part
        elif kind == OURS:
            assert theirs_part == base_part != ours_part
        elif kind == THEIRS:
            assert ours_part == base_part != theirs_part
        elif kind == BOTH:
            assert ours_part == theirs_part != base_part
        else:
            assert kind == CONFLICT
            assert ours_part != theirs_part and ours_part != base_part and theirs_part != base_part
        assert previous_stable is None or previous_stable != (kind == STABLE), "changes that should be joined"
        previous_stable = kind == STABLE
        b, o, t = b2, o2, t2
    assert (b, o, t) == (len(base), len(ours), len(theirs))


# --- diff_ids: hand cases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([], [], []),
        ([], [1, 2], [(INSERT, 0, 0, 0, 2)]),
        ([1, 2], [], [(DELETE, 0, 2, 0, 0)]),
        ([1, 2, 3], [1, 2, 3], [(EQUAL, 0, 3, 0, 3)]),
        ([1, 2], [3, 4, 5], [(REPLACE, 0, 2, 0, 3)]),
        ([1, 2, 3, 4], [1, 2, 9, 4], [(EQUAL, 0, 2, 0, 2), (REPLACE, 2, 3, 2, 3), (EQUAL, 3, 4, 3, 4)]),
        ([1, 2, 3], [1, 2, 9, 3], [(EQUAL, 0, 2, 0, 2), (INSERT, 2, 2, 2, 3), (EQUAL, 2, 3, 3, 4)]),
        ([1, 2, 3], [1, 3], [(EQUAL, 0, 1, 0, 1), (DELETE, 1, 2, 1, 1), (EQUAL, 2, 3, 1, 2)]),
        ([1, 2, 3], [0, 1, 2, 3], [(INSERT, 0, 0, 0, 1), (EQUAL, 0, 3, 1, 4)]),
        ([1, 2, 3], [1, 2, 3, 4], [(EQUAL, 0, 3, 0, 3), (INSERT, 3, 3, 3, 4)]),
        ([1, 2, 3], [4, 2, 5], [(REPLACE, 0, 1, 0, 1), (EQUAL, 1, 2, 1, 2), (REPLACE, 2, 3, 2, 3)]),
        ([1, 2, 3], [3, 1, 2], [(INSERT, 0, 0, 0, 1), (EQUAL, 0, 2, 1, 3), (DELETE, 2, 3, 3, 3)]),
        (
            [7, 1, 2, 3, 8],
            [7, 9, 2, 8],
            [
                (EQUAL, 0, 1, 0, 1),
                (REPLACE, 1, 2, 1, 2),
                (EQUAL, 2, 3, 2, 3),
                (DELETE, 3, 4, 3, 3),
                (EQUAL, 4, 5, 3, 4),
            ],
        ),
    ],
)
def test_hand_cases(diff_ids: DiffIds, a: list[int], b: list[int], expected: list[Opcode]) -> None:
    assert diff_ids(a, b) == expected


def test_tie_break_deletes_before_inserting(diff_ids: DiffIds) -> None:
    # Keeping either element costs the same; the deletion comes first, the insertion after the kept element.
    assert diff_ids([1, 2], [2, 1]) == [(DELETE, 0, 1, 0, 0), (EQUAL, 1, 2, 0, 1), (INSERT, 2, 2, 1, 2)]
    assert diff_ids([1, 2, 1], [2, 1, 2]) == [(DELETE, 0, 1, 0, 0), (EQUAL, 1, 3, 0, 2), (INSERT, 3, 3, 2, 3)]
    assert diff_ids([0, 1, 2, 0], [0, 2, 1, 0]) == [
        (EQUAL, 0, 1, 0, 1),
        (DELETE, 1, 2, 1, 1),
        (EQUAL, 2, 3, 1, 2),
        (INSERT, 3, 3, 2, 3),
        (EQUAL, 3, 4, 3, 4),
    ]


def test_repeated_ends_are_matched_by_the_prefix_first(diff_ids: DiffIds) -> None:
    assert diff_ids([1, 1, 1], [1, 1]) == [(EQUAL, 0, 2, 0, 2), (DELETE, 2, 3, 2, 2)]
    assert diff_ids([5, 1, 1], [1, 1]) == [(DELETE, 0, 1, 0, 0), (EQUAL, 1, 3, 0, 2)]
    assert diff_ids([1, 2], [1, 2, 1, 2]) == [(EQUAL, 0, 2, 0, 2), (INSERT, 2, 2, 2, 4)]


def test_results_are_plain_int_tuples(diff_ids: DiffIds) -> None:
    opcodes = diff_ids([1, 2, 3], [1, 4])
    assert all(type(op) is tuple and [type(v) for v in op] == [int] * 5 for op in opcodes)


def test_large_ids(diff_ids: DiffIds) -> None:
    big = 2**63 - 1
    assert diff_ids([big, -big, 0], [-big, 0, big]) == [
        (DELETE, 0, 1, 0, 0),
        (EQUAL, 1, 3, 0, 2),
        (INSERT, 3, 3, 2, 3),
    ]


def test_scattered_edits_in_a_long_list(diff_ids: DiffIds) -> None:
    a = list(range(5000))
    b = list(a)
    b[4000:4003] = [-1, -2]
    del b[2500:2510]
    b[1000:1000] = [-3, -4, -5]
    b[10] = -6
    opcodes = diff_ids(a, b)
    assert_valid_opcodes(a, b, opcodes)
    assert [op for op in opcodes if op[0] != EQUAL] == [
        (REPLACE, 10, 11, 10, 11),
        (INSERT, 1000, 1000, 1000, 1003),
        (DELETE, 2500, 2510, 2503, 2503),
        (REPLACE, 4000, 4003, 3993, 3995),
    ]


# --- diff_ids: properties -------------------------------------------------------------------------------

small_ids = st.lists(st.integers(0, 3), max_size=24)
medium_ids = st.lists(st.integers(0, 6), max_size=80)


@pytest.mark.parametrize("impl", [_diff, _diff_py], ids=["compiled", "pure"])
@settings(max_examples=300)
@given(a=small_ids, b=small_ids)
def test_opcodes_are_a_minimal_edit_script(impl: ModuleType, a: list[int], b: list[int]) -> None:
    opcodes = impl.diff_ids(a, b)
    assert_valid_opcodes(a, b, opcodes)
    assert changed_count(opcodes) == len(a) + len(b) - 2 * lcs_length(a, b)


@pytest.mark.parametrize("impl", [_diff, _diff_py], ids=["compiled", "pure"])
@settings(max_examples=100)
@given(a=medium_ids, b=medium_ids)
def test_never_larger_than_difflib(impl: ModuleType, a: list[int], b: list[int]) -> None:
    reference = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    mine = impl.diff_ids(a, b)
    assert changed_count(mine) <= sum(
        i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in reference if tag != "equal"
    )


@settings(max_examples=500)
@given(a=medium_ids, b=medium_ids)
def test_diff_ids_implementations_agree(a: list[int], b: list[int]) -> None:
    assert _diff.diff_ids(a, b) == _diff_py.diff_ids(a, b)


@settings(max_examples=200)
@given(
    a=st.lists(st.sampled_from([0, 1, -1, 2**40, -(2**63), 2**63 - 1]), max_size=40),
    b=st.lists(st.sampled_from([0, 1, -1, 2**40, -(2**63), 2**63 - 1]), max_size=40),
)
def test_implementations_agree_on_extreme_ids(a: list[int], b: list[int]) -> None:
    assert _diff.diff_ids(a, b) == _diff_py.diff_ids(a, b)


# --- diff_ids: the edit cost cap ------------------------------------------------------------------------


def test_cap_is_shared() -> None:
    assert _diff.MAX_EDIT_COST == _diff_py.MAX_EDIT_COST == diff.MAX_EDIT_COST == 1024


def test_beyond_the_cap_the_result_is_still_an_edit_script(diff_ids: DiffIds) -> None:
    rng = random.Random(7)
    a = [rng.randrange(40) for _ in range(900)]
    b = [rng.randrange(40) for _ in range(900)]
    assert len(a) + len(b) - 2 * lcs_length(a, b) > _diff.MAX_EDIT_COST
    assert_valid_opcodes(a, b, diff_ids(a, b))


def test_beyond_the_cap_the_implementations_agree() -> None:
    rng = random.Random(8)
    a = [rng.randrange(30) for _ in range(1000)]
    b = [rng.randrange(30) for _ in range(1200)]
    assert _diff.diff_ids(a, b) == _diff_py.diff_ids(a, b)


def test_search_restarts_after_the_cap(diff_ids: DiffIds) -> None:
    # The unrelated heads cost 1200 > cap; the restarted search still aligns what follows them exactly.
    head_a, head_b = list(range(600)), list(range(1000, 1600))
    common, tail = list(range(5000, 5200)), list(range(6000, 6100))
    a = [*head_a, *common, -1, *tail]
    b = [*head_b, *common, -2, *tail]
    assert diff_ids(a, b) == [
        (REPLACE, 0, 600, 0, 600),
        (EQUAL, 600, 800, 600, 800),
        (REPLACE, 800, 801, 800, 801),
        (EQUAL, 801, 901, 801, 901),
    ]


def test_restart_point_tie_goes_to_the_lower_diagonal(diff_ids: DiffIds) -> None:
    # At the cap every diagonal has x + y = 1024; diagonals -2 and 0 are equally near the end's -1, so the
    # search restarts from (511, 513), from where a[511] == b[600] can still be matched.
    a = list(range(700))
    b = list(range(1000, 1701))
    b[600] = a[511]
    assert diff_ids(a, b) == [
        (REPLACE, 0, 511, 0, 600),
        (EQUAL, 511, 512, 600, 601),
        (REPLACE, 512, 700, 601, 701),
    ]


def test_within_the_cap_long_edits_stay_minimal(diff_ids: DiffIds) -> None:
    rng = random.Random(9)
    a = [rng.randrange(1000) for _ in range(700)]
    b = list(a)
    for at in sorted(rng.sample(range(650), 60), reverse=True):
        b[at : at + 3] = [rng.randrange(1000, 2000) for _ in range(rng.randrange(5))]
    opcodes = diff_ids(a, b)
    assert_valid_opcodes(a, b, opcodes)
    assert changed_count(opcodes) == len(a) + len(b) - 2 * lcs_length(a, b)


# --- merge3_ids -----------------------------------------------------------------------------------------

A, B, C, D, E, X, Y = 1, 2, 3, 4, 5, 10, 11


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "expected"),
    [
        ([], [], [], []),
        ([A, B], [A, B], [A, B], [(STABLE, 0, 2, 0, 2, 0, 2)]),
        ([], [X], [], [(OURS, 0, 0, 0, 1, 0, 0)]),
        ([A, B], [], [A, B], [(OURS, 0, 2, 0, 0, 0, 2)]),
        (
            [A, B, C],
            [A, X, C],
            [A, B, C],
            [(STABLE, 0, 1, 0, 1, 0, 1), (OURS, 1, 2, 1, 2, 1, 2), (STABLE, 2, 3, 2, 3, 2, 3)],
        ),
        (
            [A, B, C],
            [A, B, C],
            [A, B, Y, Y, C],
            [(STABLE, 0, 2, 0, 2, 0, 2), (THEIRS, 2, 2, 2, 2, 2, 4), (STABLE, 2, 3, 2, 3, 4, 5)],
        ),
        (
            [A, B, C],
            [A, X, C],
            [A, X, C],
            [(STABLE, 0, 1, 0, 1, 0, 1), (BOTH, 1, 2, 1, 2, 1, 2), (STABLE, 2, 3, 2, 3, 2, 3)],
        ),
        (
            [A, B, C],
            [A, X, C],
            [A, Y, C],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 2, 1, 2, 1, 2), (STABLE, 2, 3, 2, 3, 2, 3)],
        ),
        # Separate changes with an unchanged element between them stay separate.
        (
            [A, B, C, D, E],
            [A, X, C, D, E],
            [A, B, C, Y, E],
            [
                (STABLE, 0, 1, 0, 1, 0, 1),
                (OURS, 1, 2, 1, 2, 1, 2),
                (STABLE, 2, 3, 2, 3, 2, 3),
                (THEIRS, 3, 4, 3, 4, 3, 4),
                (STABLE, 4, 5, 4, 5, 4, 5),
            ],
        ),
        # Touching base ranges [1, 2) and [2, 3) are one conflict.
        (
            [A, B, C, D],
            [A, X, C, D],
            [A, B, Y, D],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 3, 1, 3, 1, 3), (STABLE, 3, 4, 3, 4, 3, 4)],
        ),
        # Two insertions at the same base position: a conflict, unless they insert the same.
        (
            [A, B],
            [A, X, B],
            [A, Y, B],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 1, 1, 2, 1, 2), (STABLE, 1, 2, 2, 3, 2, 3)],
        ),
        (
            [A, B],
            [A, X, B],
            [A, X, B],
            [(STABLE, 0, 1, 0, 1, 0, 1), (BOTH, 1, 1, 1, 2, 1, 2), (STABLE, 1, 2, 2, 3, 2, 3)],
        ),
        ([], [X], [Y], [(CONFLICT, 0, 0, 0, 1, 0, 1)]),
        # An insertion right after a changed element touches the change.
        (
            [A, B, C],
            [A, B, X, C],
            [A, Y, C],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 2, 1, 3, 1, 2), (STABLE, 2, 3, 3, 4, 2, 3)],
        ),
        # An insertion right before a changed element touches it too.
        (
            [A, B, C],
            [A, X, B, C],
            [A, Y, C],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 2, 1, 3, 1, 2), (STABLE, 2, 3, 3, 4, 2, 3)],
        ),
        # A chain: ours [1, 3) overlaps theirs [2, 4), which touches ours again at 4.
        (
            [A, B, C, D, E, A],
            [A, X, X, D, X, A],
            [A, B, Y, Y, E, A],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 5, 1, 5, 1, 5), (STABLE, 5, 6, 5, 6, 5, 6)],
        ),
        # Both delete the same element; ours also changes the next one: one chunk, and it conflicts.
        (
            [A, B, C, D],
            [A, X, D],
            [A, C, D],
            [(STABLE, 0, 1, 0, 1, 0, 1), (CONFLICT, 1, 3, 1, 2, 1, 2), (STABLE, 3, 4, 2, 3, 2, 3)],
        ),
    ],
)
def test_merge3_hand_cases(
    merge3_ids: Merge3Ids, base: list[int], ours: list[int], theirs: list[int], expected: list[Chunk]
) -> None:
    assert merge3_ids(base, ours, theirs) == expected
    assert_valid_chunks(base, ours, theirs, expected)


def test_merge3_sides_swap(merge3_ids: Merge3Ids) -> None:
    base, ours, theirs = [A, B, C, D, E], [A, X, C, D], [A, B, C, Y, Y, E]
    swapped = [
        (k if k in (STABLE, BOTH, CONFLICT) else 3 - k, b1, b2, t1, t2, o1, o2)
        for k, b1, b2, o1, o2, t1, t2 in merge3_ids(base, ours, theirs)
    ]
    assert merge3_ids(base, theirs, ours) == swapped


def test_merge3_on_a_long_file(merge3_ids: Merge3Ids) -> None:
    base = list(range(3000))
    ours, theirs = list(base), list(base)
    ours[2500], theirs[2500] = -5, -6
    ours[2000] = theirs[2000] = -4
    theirs[1500:1500] = [-2, -3]
    ours[100:102] = [-1]
    chunks = merge3_ids(base, ours, theirs)
    assert_valid_chunks(base, ours, theirs, chunks)
    assert [c for c in chunks if c[0] != STABLE] == [
        (OURS, 100, 102, 100, 101, 100, 102),
        (THEIRS, 1500, 1500, 1499, 1499, 1500, 1502),
        (BOTH, 2000, 2001, 1999, 2000, 2002, 2003),
        (CONFLICT, 2500, 2501, 2499, 2500, 2502, 2503),
    ]


merge_ids = st.lists(st.integers(0, 3), max_size=16)


@st.composite
def related_triples(draw: st.DrawFn) -> tuple[list[int], list[int], list[int]]:
    """A base and two sides made by editing it, so that most elements survive on each side."""
    base = draw(st.lists(st.integers(0, 5), max_size=30))

    def edit(seq: list[int]) -> list[int]:
        out = list(seq)
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(out)))
            out[at : at + draw(st.integers(0, 2))] = draw(st.lists(st.integers(0, 7), max_size=3))
        return out

    return base, edit(base), edit(base)


@pytest.mark.parametrize("impl", [_diff, _diff_py], ids=["compiled", "pure"])
@settings(max_examples=300)
@given(triple=st.one_of(st.tuples(merge_ids, merge_ids, merge_ids), related_triples()))
def test_merge3_chunks_are_valid(impl: ModuleType, triple: tuple[list[int], list[int], list[int]]) -> None:
    base, ours, theirs = triple
    assert_valid_chunks(base, ours, theirs, impl.merge3_ids(base, ours, theirs))


@settings(max_examples=500)
@given(triple=st.one_of(st.tuples(merge_ids, merge_ids, merge_ids), related_triples()))
def test_merge3_implementations_agree(triple: tuple[list[int], list[int], list[int]]) -> None:
    assert _diff.merge3_ids(*triple) == _diff_py.merge3_ids(*triple)


@settings(max_examples=200)
@given(base=merge_ids, ours=merge_ids)
def test_merge3_with_an_unchanged_side_has_no_conflict(base: list[int], ours: list[int]) -> None:
    chunks = _diff.merge3_ids(base, ours, list(base))
    assert {kind for kind, *_ in chunks} <= {STABLE, OURS}
    assert [c[3:5] for c in chunks if c[0] == OURS] == [
        op[3:5] for op in _diff.diff_ids(base, ours) if op[0] != EQUAL
    ]


# --- the dispatcher's helpers: lines, words, named chunks ----------------------------------------------


def test_line_opcodes_names_tags_and_interns_by_value(dispatcher: ModuleType) -> None:
    a = ["def f():", "    return 1", ""]
    b = ["def f():", "    " + "return 2", "", "x = f()"]
    assert dispatcher.line_opcodes(a, b) == [
        ("equal", 0, 1, 0, 1),
        ("replace", 1, 2, 1, 2),
        ("equal", 2, 3, 2, 3),
        ("insert", 3, 3, 3, 4),
    ]
    assert dispatcher.line_opcodes(a, [*a[:1], "    return " + "1", *a[2:]]) == [("equal", 0, 3, 0, 3)]
    assert dispatcher.line_opcodes(["x", "y"], []) == [("delete", 0, 2, 0, 0)]
    assert dispatcher.line_opcodes([], []) == []


@settings(max_examples=100)
@given(
    a=st.lists(st.sampled_from(["", "a", "b", "    pass", "a "]), max_size=20),
    b=st.lists(st.sampled_from(["", "a", "b", "    pass", "c"]), max_size=20),
)
def test_line_opcodes_rebuild_b_like_difflib_opcodes(a: list[str], b: list[str]) -> None:
    opcodes = diff.line_opcodes(a, b)
    assert_valid_opcodes(a, b, [(diff.TAGS.index(tag), *rest) for tag, *rest in opcodes])
    ids = {line: n for n, line in enumerate(dict.fromkeys(a + b))}
    numeric = diff.diff_ids([ids[x] for x in a], [ids[x] for x in b])
    assert [(diff.TAGS.index(tag), *rest) for tag, *rest in opcodes] == numeric


def test_merge3_names_kinds(dispatcher: ModuleType) -> None:
    base = ["a", "b", "c", "d", "e"]
    ours = ["a", "B", "c", "d", "e", "f"]
    theirs = ["a", "b", "c", "D", "e", "g"]
    chunks = dispatcher.merge3(base, ours, theirs)
    assert chunks == [
        diff.Chunk3("stable", 0, 1, 0, 1, 0, 1),
        diff.Chunk3("ours", 1, 2, 1, 2, 1, 2),
        diff.Chunk3("stable", 2, 3, 2, 3, 2, 3),
        diff.Chunk3("theirs", 3, 4, 3, 4, 3, 4),
        diff.Chunk3("stable", 4, 5, 4, 5, 4, 5),
        diff.Chunk3("conflict", 5, 5, 5, 6, 5, 6),
    ]
    assert chunks[1].kind == "ours" and chunks[1].ours_start == 1 and chunks[1].theirs_end == 2
    assert dispatcher.merge3(["x"], ["y"], ["y"]) == [diff.Chunk3("both", 0, 1, 0, 1, 0, 1)]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("foo_bar(x, 42)  + y\n", ["foo_bar", "(", "x", ",", " ", "42", ")", "  ", "+", " ", "y", "\n"]),
        ("a\t \nb", ["a", "\t \n", "b"]),
        ("==>", ["=", "=", ">"]),
        ("café x2", ["caf", "é", " ", "x2"]),
        ("日本 go", ["日", "本", " ", "go"]),
    ],
)
def test_tokenize_words(text: str, tokens: list[str]) -> None:
    assert diff.tokenize_words(text) == tokens


@given(st.text())
def test_tokens_join_back_to_the_text(text: str) -> None:
    tokens = diff.tokenize_words(text)
    assert "".join(tokens) == text
    assert all(tokens)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (
            "the quick fox",
            "the slow fox",
            [("equal", 0, 4, 0, 4), ("replace", 4, 9, 4, 8), ("equal", 9, 13, 8, 12)],
        ),
        (
            "x = f(a)",
            "x = f(a, b)",
            [("equal", 0, 7, 0, 7), ("insert", 7, 7, 7, 10), ("equal", 7, 8, 10, 11)],
        ),
        ("return value  # old", "return value", [("equal", 0, 12, 0, 12), ("delete", 12, 19, 12, 12)]),
        ("café au lait", "cafe au lait", [("replace", 0, 4, 0, 4), ("equal", 4, 12, 4, 12)]),
        ("😀 smile", "😀 grin", [("equal", 0, 2, 0, 2), ("replace", 2, 7, 2, 6)]),
        ("", "new", [("insert", 0, 0, 0, 3)]),
        ("same", "same", [("equal", 0, 4, 0, 4)]),
    ],
)
def test_word_opcodes_hand_cases(dispatcher: ModuleType, a: str, b: str, expected: list[tuple]) -> None:
    assert dispatcher.word_opcodes(a, b) == expected


word_text = st.lists(
    st.sampled_from(["self", "x", "x2", " ", "  ", "(", ")", ".", "é", "\t", "foo_bar"]), max_size=14
).map("".join)


@settings(max_examples=200)
@given(a=word_text, b=word_text)
def test_word_opcodes_are_character_offsets_on_token_boundaries(a: str, b: str) -> None:
    opcodes = diff.word_opcodes(a, b)
    assert_valid_opcodes(a, b, [(diff.TAGS.index(tag), *rest) for tag, *rest in opcodes])
    bounds_a = {
        0,
        *(len("".join(diff.tokenize_words(a)[:n])) for n in range(len(diff.tokenize_words(a)) + 1)),
    }
    bounds_b = {
        0,
        *(len("".join(diff.tokenize_words(b)[:n])) for n in range(len(diff.tokenize_words(b)) + 1)),
    }
    for _, i1, i2, j1, j2 in opcodes:
        assert {i1, i2} <= bounds_a and {j1, j2} <= bounds_b


# --- the dispatcher -------------------------------------------------------------------------------------


def test_compiled_module_is_a_built_extension() -> None:
    assert Path(_diff.__file__).suffix in {".so", ".pyd"}


def test_dispatcher_binds_the_implementation_it_reports() -> None:
    expected = "pure" if os.environ.get("CDEV_TUI_PURE") == "1" else "compiled"
    module = _diff_py if expected == "pure" else _diff
    implementation = diff.IMPLEMENTATION
    assert implementation == expected
    assert diff.diff_ids is module.diff_ids
    assert diff.merge3_ids is module.merge3_ids


def _dispatcher_in_subprocess(
    tmp_path: Path, env: dict[str, str], prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """Import the dispatcher in a fresh interpreter with ``env`` on top of a copy without the switches."""
    base = {k: v for k, v in os.environ.items() if k not in {"CDEV_TUI_PURE", "CDEV_TUI_REQUIRE_EXT"}}
    code = (
        f"{prelude}\nfrom cdev_tui.cext import diff\n"
        "print(diff.IMPLEMENTATION, diff.diff_ids.__module__, diff.line_opcodes(['a'], ['b']))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True
    )


def test_dispatcher_picks_compiled_by_default(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(maxsplit=2)[:2] == ["compiled", "cdev_tui.cext._diff"]


def test_dispatcher_picks_pure_when_asked(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {"CDEV_TUI_PURE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(maxsplit=2) == [
        "pure",
        "cdev_tui.cext._diff_py",
        "[('replace', 0, 1, 0, 1)]\n",
    ]


BLOCK_EXTENSION = "import sys; sys.modules['cdev_tui.cext._diff'] = None"


def test_dispatcher_falls_back_when_extension_is_missing(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {}, prelude=BLOCK_EXTENSION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(maxsplit=1)[0] == "pure"


def test_dispatcher_refuses_fallback_when_extension_is_required(tmp_path: Path) -> None:
    result = _dispatcher_in_subprocess(tmp_path, {"CDEV_TUI_REQUIRE_EXT": "1"}, prelude=BLOCK_EXTENSION)
    assert result.returncode != 0
    assert "ImportError: CDEV_TUI_REQUIRE_EXT=1" in result.stderr
    assert "cdev_tui.cext._diff" in result.stderr
