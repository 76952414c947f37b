"""Pure-Python twin of ``_diff``: minimal line diffs over interned ids, and the 3-way alignment on top.

The algorithm, shared step for step with the compiled module so both return identical results:

- ``diff_ids`` strips the common prefix, then the common suffix, and runs Myers' greedy forward search
  (furthest-reaching D-paths, every ``V`` row kept for the trace back) on the middle. Moves that would leave
  the edit grid are never taken. On a tie between reaching a point by an insertion (from the diagonal above)
  and by a deletion (from the diagonal below), the insertion is the last step, so the deletions of a change
  come before its insertions: ``[x, y] -> [y, x]`` deletes ``x``, keeps ``y``, inserts ``x``. Repeated
  elements at the ends are matched by the prefix first, then the suffix.
- The search gives up at ``MAX_EDIT_COST`` deletions plus insertions. It then keeps the path to the
  furthest-reaching point found (largest ``x + y``; on a tie the diagonal ``x - y`` nearest the end's
  ``len(a) - len(b)``, then the lower one) and starts a new search from there. The result stays a correct edit script, only no longer minimal, and the trace memory
  stays below ``(MAX_EDIT_COST + 1) * (MAX_EDIT_COST + 2) / 2`` entries.
- ``merge3_ids`` diffs base against each side and groups the changes into diff3 chunks (see its docstring).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MAX_EDIT_COST", "diff_ids", "merge3_ids"]

MAX_EDIT_COST = 1024

EQUAL, REPLACE, DELETE, INSERT = 0, 1, 2, 3
STABLE, OURS, THEIRS, BOTH, CONFLICT = 0, 1, 2, 3, 4

Block = tuple[int, int, int]
Opcode = tuple[int, int, int, int, int]
Change = tuple[int, int, int, int]
Chunk = tuple[int, int, int, int, int, int, int]


def _step(prev: list[int], k: int, d: int, n: int, m: int) -> tuple[int, bool]:
    """Where diagonal ``k`` starts its snake at cost ``d``: ``(x, by insertion)``; ``x`` is -1 if unreachable.

    ``prev`` is row ``d - 1``; diagonal ``k`` lives at index ``(k + d - 1) // 2`` of that row.
    """
    index = (k + d) // 2
    down = prev[index] if k < d else -1
    down_ok = down >= 0 and down - k - 1 < m
    right = prev[index - 1] if k > -d else -1
    right_ok = 0 <= right < n
    if down_ok and (not right_ok or down >= right + 1):
        return down, True
    if right_ok:
        return right + 1, False
    return -1, False


def _snake(a: Sequence[int], b: Sequence[int], x: int, y: int, n: int, m: int) -> int:
    """``x`` moved along the diagonal through ``(x, y)`` while ``a[x] == b[y]``."""
    while x < n and y < m and a[x] == b[y]:
        x += 1
        y += 1
    return x


def _search(a: Sequence[int], b: Sequence[int]) -> tuple[list[list[int]], int, int]:
    """Myers' forward search over ``a`` and ``b`` (both non-empty): the ``V`` rows and the end ``(d, k)``.

    The end is ``(len(a), len(b))`` when it costs at most ``MAX_EDIT_COST``, else the furthest point reached.
    """
    n, m = len(a), len(b)
    trace = [[_snake(a, b, 0, 0, n, m)]]
    if trace[0][0] == n == m:
        return trace, 0, 0
    for d in range(1, min(MAX_EDIT_COST, n + m) + 1):
        prev = trace[-1]
        row = [-1] * (d + 1)
        trace.append(row)
        for k in range(-d, d + 1, 2):
            x, _ = _step(prev, k, d, n, m)
            if x < 0:
                continue
            x = _snake(a, b, x, x - k, n, m)
            row[(k + d) // 2] = x
            if x == n and x - k == m:
                return trace, d, k
    d = len(trace) - 1
    best_k, best_sum, best_gap = -d, -1, 0
    for k in range(-d, d + 1, 2):
        x = trace[d][(k + d) // 2]
        gap = abs(k - (n - m))
        if x >= 0 and (2 * x - k > best_sum or (2 * x - k == best_sum and gap < best_gap)):
            best_k, best_sum, best_gap = k, 2 * x - k, gap
    return trace, d, best_k


def _trace_back(trace: list[list[int]], d: int, k: int, n: int, m: int) -> list[Block]:
    """The matching blocks ``(i, j, length)`` of the path ending on diagonal ``k`` at cost ``d``, in order."""
    blocks: list[Block] = []
    while d > 0:
        end = trace[d][(k + d) // 2]
        start, by_insertion = _step(trace[d - 1], k, d, n, m)
        if end > start:
            blocks.append((start, start - k, end - start))
        k += 1 if by_insertion else -1
        d -= 1
    if trace[0][0] > 0:
        blocks.append((0, 0, trace[0][0]))
    blocks.reverse()
    return blocks


def _match_blocks(a: Sequence[int], b: Sequence[int]) -> list[Block]:
    """The matching blocks ``(i, j, length)`` of the diff of ``a`` and ``b``, in order."""
    n, m = len(a), len(b)
    prefix = 0
    while prefix < n and prefix < m and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < n - prefix and suffix < m - prefix and a[n - 1 - suffix] == b[m - 1 - suffix]:
        suffix += 1
    blocks: list[Block] = [(0, 0, prefix)] if prefix else []
    x, y, x_end, y_end = prefix, prefix, n - suffix, m - suffix
    while x < x_end and y < y_end:
        sub_a, sub_b = a[x:x_end], b[y:y_end]
        trace, d, k = _search(sub_a, sub_b)
        blocks.extend((x + i, y + j, size) for i, j, size in _trace_back(trace, d, k, len(sub_a), len(sub_b)))
        reached = trace[d][(k + d) // 2]
        x, y = x + reached, y + reached - k
    if suffix:
        blocks.append((n - suffix, m - suffix, suffix))
    return blocks


def _opcodes(blocks: list[Block], n: int, m: int) -> list[Opcode]:
    """difflib-style opcodes from matching blocks, with touching equal blocks merged."""
    opcodes: list[Opcode] = []
    i = j = 0
    for bi, bj, size in [*blocks, (n, m, 0)]:
        if i < bi or j < bj:
            tag = REPLACE if i < bi and j < bj else DELETE if i < bi else INSERT
            opcodes.append((tag, i, bi, j, bj))
        if size:
            if opcodes and opcodes[-1][0] == EQUAL and opcodes[-1][2] == bi and opcodes[-1][4] == bj:
                opcodes[-1] = (EQUAL, opcodes[-1][1], bi + size, opcodes[-1][3], bj + size)
            else:
                opcodes.append((EQUAL, bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
    return opcodes


def diff_ids(a: list[int], b: list[int]) -> list[Opcode]:
    """Return the opcodes ``(tag, i1, i2, j1, j2)`` of a minimal diff turning ``a`` into ``b``.

    Tags: 0 equal, 1 replace, 2 delete, 3 insert. The opcodes cover both lists in order, like
    ``difflib.SequenceMatcher.get_opcodes()``; a change is one opcode and no two equal opcodes touch.
    """
    return _opcodes(_match_blocks(a, b), len(a), len(b))


def _changes(a: list[int], b: list[int]) -> list[Change]:
    """The non-equal opcodes of ``diff_ids(a, b)`` as ``(i1, i2, j1, j2)``."""
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in diff_ids(a, b) if tag != EQUAL]


def _shift(changes: list[Change], index: int) -> int:
    """How far a side's positions are ahead of base's after its first ``index`` changes."""
    if index == 0:
        return 0
    _, i2, _, j2 = changes[index - 1]
    return j2 - i2


def _absorb(changes: list[Change], index: int, end: int) -> tuple[int, int]:
    """Take the changes from ``index`` on that start at or before ``end``; return the next index and the new end."""
    while index < len(changes) and changes[index][0] <= end:
        end = max(end, changes[index][1])
        index += 1
    return index, end


def _stable(b1: int, b2: int, ours_shift: int, theirs_shift: int) -> Chunk:
    """The stable chunk over base ``[b1, b2)``."""
    return (STABLE, b1, b2, b1 + ours_shift, b2 + ours_shift, b1 + theirs_shift, b2 + theirs_shift)


def merge3_ids(base: list[int], ours: list[int], theirs: list[int]) -> list[Chunk]:
    """Return the diff3 chunks ``(kind, b1, b2, o1, o2, t1, t2)`` aligning base, ours and theirs.

    The chunks cover the three lists in order. Changes are the non-equal opcodes of ``diff_ids(base, ours)``
    and ``diff_ids(base, theirs)``; a chunk starts at the change with the lowest base start and takes in
    every further change, of either side, whose base start is at or before the chunk's base end so far: base
    ranges that overlap or touch are joined, and so are two insertions at the same base position. Kinds:
    0 stable (no change; all three equal), 1 only ours changed, 2 only theirs changed, 3 both changed to the
    same ids, 4 conflict (both changed, differently). Stable chunks are never empty.
    """
    ours_changes, theirs_changes = _changes(base, ours), _changes(base, theirs)
    chunks: list[Chunk] = []
    io = it = pos = 0
    while io < len(ours_changes) or it < len(theirs_changes):
        b1 = min(
            changes[i][0] for changes, i in ((ours_changes, io), (theirs_changes, it)) if i < len(changes)
        )
        if pos < b1:
            chunks.append(_stable(pos, b1, _shift(ours_changes, io), _shift(theirs_changes, it)))
        o1, t1 = b1 + _shift(ours_changes, io), b1 + _shift(theirs_changes, it)
        first_o, first_t, b2 = io, it, b1
        while True:
            io, b2 = _absorb(ours_changes, io, b2)
            it, end = _absorb(theirs_changes, it, b2)
            if end == b2:
                break
            b2 = end
        o2, t2 = b2 + _shift(ours_changes, io), b2 + _shift(theirs_changes, it)
        if it == first_t:
            kind = OURS
        elif io == first_o:
            kind = THEIRS
        else:
            kind = BOTH if ours[o1:o2] == theirs[t1:t2] else CONFLICT
        chunks.append((kind, b1, b2, o1, o2, t1, t2))
        pos = b2
    if pos < len(base):
        chunks.append(_stable(pos, len(base), _shift(ours_changes, io), _shift(theirs_changes, it)))
    return chunks
