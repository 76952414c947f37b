# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled minimal line diffs over interned ids, and the 3-way alignment on top.

Same signatures, algorithm and results as ``_diff_py`` (its docstring describes the algorithm, the tie-break
and the ``MAX_EDIT_COST`` cap). The ids are copied once into C arrays of 64-bit integers; the search, the
trace back and the chunk walk run on those arrays with the GIL released, so the only Python objects created
are the results.
"""

from libc.stdlib cimport free, malloc, realloc

__all__ = ["MAX_EDIT_COST", "diff_ids", "merge3_ids"]

ctypedef long long id_t

cdef enum:
    _MAX_COST = 1024
    _EQUAL = 0
    _REPLACE = 1
    _DELETE = 2
    _INSERT = 3
    _STABLE = 0
    _OURS = 1
    _THEIRS = 2
    _BOTH = 3
    _CONFLICT = 4

MAX_EDIT_COST = _MAX_COST


# --- growable arrays ------------------------------------------------------------------------------------


cdef struct Vec:
    Py_ssize_t* data
    Py_ssize_t size
    Py_ssize_t capacity


cdef int _reserve(Vec* v, Py_ssize_t capacity) noexcept nogil:
    """Make room for ``capacity`` entries; -1 when out of memory."""
    cdef Py_ssize_t grown
    cdef Py_ssize_t* data
    if capacity <= v.capacity:
        return 0
    grown = v.capacity * 2 if v.capacity * 2 > capacity else capacity
    if grown < 64:
        grown = 64
    data = <Py_ssize_t*>realloc(v.data, grown * sizeof(Py_ssize_t))
    if data == NULL:
        return -1
    v.data = data
    v.capacity = grown
    return 0


cdef inline int _push3(Vec* v, Py_ssize_t p, Py_ssize_t q, Py_ssize_t r) noexcept nogil:
    if _reserve(v, v.size + 3) < 0:
        return -1
    v.data[v.size] = p
    v.data[v.size + 1] = q
    v.data[v.size + 2] = r
    v.size += 3
    return 0


cdef inline void _release(Vec* v) noexcept nogil:
    free(v.data)
    v.data = NULL
    v.size = 0
    v.capacity = 0


cdef id_t* _ids(object seq, Py_ssize_t* size) except NULL:
    """A malloc'ed copy of the ints in ``seq``; its length goes to ``size``."""
    cdef list items = seq if type(seq) is list else list(seq)
    cdef Py_ssize_t i, n = len(items)
    cdef id_t* out = <id_t*>malloc((n if n > 0 else 1) * sizeof(id_t))
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            out[i] = items[i]
    except BaseException:
        free(out)
        raise
    size[0] = n
    return out


# --- the search -----------------------------------------------------------------------------------------


cdef inline Py_ssize_t _step(
    const Py_ssize_t* prev, Py_ssize_t k, Py_ssize_t d, Py_ssize_t n, Py_ssize_t m, bint* by_insertion
) noexcept nogil:
    """Where diagonal ``k`` starts its snake at cost ``d`` (-1 if unreachable); ``prev`` is row ``d - 1``."""
    cdef Py_ssize_t index = (k + d) >> 1
    cdef Py_ssize_t down = prev[index] if k < d else -1
    cdef Py_ssize_t right = prev[index - 1] if k > -d else -1
    cdef bint down_ok = down >= 0 and down - k - 1 < m
    cdef bint right_ok = right >= 0 and right < n
    if down_ok and (not right_ok or down >= right + 1):
        by_insertion[0] = True
        return down
    by_insertion[0] = False
    return right + 1 if right_ok else -1


cdef inline Py_ssize_t _snake(
    const id_t* a, const id_t* b, Py_ssize_t x, Py_ssize_t y, Py_ssize_t n, Py_ssize_t m
) noexcept nogil:
    while x < n and y < m and a[x] == b[y]:
        x += 1
        y += 1
    return x


cdef inline Py_ssize_t _row(Py_ssize_t d) noexcept nogil:
    """Offset of row ``d`` in the trace: rows 0..d-1 hold 1, 2, ..., d entries."""
    return d * (d + 1) >> 1


cdef int _search(
    const id_t* a, Py_ssize_t n, const id_t* b, Py_ssize_t m, Vec* trace, Py_ssize_t* end_d, Py_ssize_t* end_k
) noexcept nogil:
    """Myers' forward search over non-empty ``a`` and ``b``; fills ``trace`` and the end ``(d, k)``."""
    cdef Py_ssize_t d, k, x, limit, best_sum, best_gap, gap
    cdef Py_ssize_t* prev
    cdef Py_ssize_t* row
    cdef bint by_insertion
    if _reserve(trace, 1) < 0:
        return -1
    x = _snake(a, b, 0, 0, n, m)
    trace.data[0] = x
    end_d[0] = 0
    end_k[0] = 0
    if x == n and x == m:
        return 0
    limit = n + m if n + m < _MAX_COST else _MAX_COST
    for d in range(1, limit + 1):
        if _reserve(trace, _row(d + 1)) < 0:
            return -1
        prev = trace.data + _row(d - 1)
        row = trace.data + _row(d)
        for k in range(-d, d + 1, 2):
            x = _step(prev, k, d, n, m, &by_insertion)
            if x >= 0:
                x = _snake(a, b, x, x - k, n, m)
                if x == n and x - k == m:
                    row[(k + d) >> 1] = x
                    end_d[0] = d
                    end_k[0] = k
                    return 0
            row[(k + d) >> 1] = x
    d = limit
    row = trace.data + _row(d)
    best_sum = -1
    best_gap = 0
    for k in range(-d, d + 1, 2):
        x = row[(k + d) >> 1]
        gap = k - (n - m) if k >= n - m else (n - m) - k
        if x >= 0 and (2 * x - k > best_sum or (2 * x - k == best_sum and gap < best_gap)):
            best_sum = 2 * x - k
            best_gap = gap
            end_k[0] = k
    end_d[0] = d
    return 0


cdef int _trace_back(
    const Py_ssize_t* trace,
    Py_ssize_t d,
    Py_ssize_t k,
    Py_ssize_t n,
    Py_ssize_t m,
    Py_ssize_t x0,
    Py_ssize_t y0,
    Vec* blocks,
) noexcept nogil:
    """Append the matching blocks of the path ending on diagonal ``k`` at cost ``d``, shifted by ``(x0, y0)``."""
    cdef Py_ssize_t first = blocks.size, start, end, lo, hi, swap
    cdef bint by_insertion
    while d > 0:
        end = trace[_row(d) + ((k + d) >> 1)]
        start = _step(trace + _row(d - 1), k, d, n, m, &by_insertion)
        if end > start and _push3(blocks, x0 + start, y0 + start - k, end - start) < 0:
            return -1
        k += 1 if by_insertion else -1
        d -= 1
    if trace[0] > 0 and _push3(blocks, x0, y0, trace[0]) < 0:
        return -1
    lo = first
    hi = blocks.size - 3
    while lo < hi:
        for swap in range(3):
            blocks.data[lo + swap], blocks.data[hi + swap] = blocks.data[hi + swap], blocks.data[lo + swap]
        lo += 3
        hi -= 3
    return 0


cdef int _match_blocks(const id_t* a, Py_ssize_t n, const id_t* b, Py_ssize_t m, Vec* blocks) noexcept nogil:
    """Fill ``blocks`` with the matching blocks ``(i, j, length)`` of the diff of ``a`` and ``b``, in order."""
    cdef Py_ssize_t prefix = 0, suffix = 0, x, y, x_end, y_end, d, k, reached
    cdef Vec trace
    cdef int status = 0
    while prefix < n and prefix < m and a[prefix] == b[prefix]:
        prefix += 1
    while suffix < n - prefix and suffix < m - prefix and a[n - 1 - suffix] == b[m - 1 - suffix]:
        suffix += 1
    if prefix and _push3(blocks, 0, 0, prefix) < 0:
        return -1
    x = prefix
    y = prefix
    x_end = n - suffix
    y_end = m - suffix
    trace.data = NULL
    trace.size = 0
    trace.capacity = 0
    while x < x_end and y < y_end:
        status = _search(a + x, x_end - x, b + y, y_end - y, &trace, &d, &k)
        if status == 0:
            status = _trace_back(trace.data, d, k, x_end - x, y_end - y, x, y, blocks)
        if status < 0:
            break
        reached = trace.data[_row(d) + ((k + d) >> 1)]
        x += reached
        y += reached - k
    _release(&trace)
    if status == 0 and suffix:
        status = _push3(blocks, n - suffix, m - suffix, suffix)
    return status


cdef int _changes(const Vec* blocks, Py_ssize_t n, Py_ssize_t m, Vec* changes) noexcept nogil:
    """Append the change regions between the matching blocks as ``(i1, i2, j1, j2)`` quadruples."""
    cdef Py_ssize_t t, i = 0, j = 0, bi, bj
    for t in range(0, blocks.size + 3, 3):
        if t < blocks.size:
            bi = blocks.data[t]
            bj = blocks.data[t + 1]
        else:
            bi = n
            bj = m
        if i < bi or j < bj:
            if _reserve(changes, changes.size + 4) < 0:
                return -1
            changes.data[changes.size] = i
            changes.data[changes.size + 1] = bi
            changes.data[changes.size + 2] = j
            changes.data[changes.size + 3] = bj
            changes.size += 4
        if t < blocks.size:
            i = bi + blocks.data[t + 2]
            j = bj + blocks.data[t + 2]
    return 0


# --- diff_ids -------------------------------------------------------------------------------------------


cdef list _opcodes(const Vec* blocks, Py_ssize_t n, Py_ssize_t m):
    """difflib-style opcodes from matching blocks, with touching equal blocks merged."""
    cdef list opcodes = []
    cdef Py_ssize_t t, i = 0, j = 0, bi, bj, size, eq_i = -1, eq_j = -1, last_i = -1, last_j = -1
    cdef int tag
    for t in range(0, blocks.size + 3, 3):
        if t < blocks.size:
            bi = blocks.data[t]
            bj = blocks.data[t + 1]
            size = blocks.data[t + 2]
        else:
            bi = n
            bj = m
            size = 0
        if i < bi or j < bj:
            if eq_i >= 0:
                opcodes.append((_EQUAL, eq_i, last_i, eq_j, last_j))
                eq_i = -1
            tag = _REPLACE if i < bi and j < bj else _DELETE if i < bi else _INSERT
            opcodes.append((tag, i, bi, j, bj))
        if size:
            if eq_i < 0:
                eq_i = bi
                eq_j = bj
            last_i = bi + size
            last_j = bj + size
        i = bi + size
        j = bj + size
    if eq_i >= 0:
        opcodes.append((_EQUAL, eq_i, last_i, eq_j, last_j))
    return opcodes


def diff_ids(a, b):
    """Return the opcodes ``(tag, i1, i2, j1, j2)`` of a minimal diff turning ``a`` into ``b``.

    Tags: 0 equal, 1 replace, 2 delete, 3 insert. The opcodes cover both lists in order, like
    ``difflib.SequenceMatcher.get_opcodes()``; a change is one opcode and no two equal opcodes touch.
    """
    cdef Py_ssize_t n = 0, m = 0
    cdef id_t* xs = _ids(a, &n)
    cdef id_t* ys = NULL
    cdef Vec blocks
    cdef int status
    blocks.data = NULL
    blocks.size = 0
    blocks.capacity = 0
    try:
        ys = _ids(b, &m)
        with nogil:
            status = _match_blocks(xs, n, ys, m, &blocks)
        if status < 0:
            raise MemoryError()
        return _opcodes(&blocks, n, m)
    finally:
        free(xs)
        free(ys)
        _release(&blocks)


# --- merge3_ids -----------------------------------------------------------------------------------------


cdef int _side_changes(const id_t* base, Py_ssize_t n, const id_t* side, Py_ssize_t m, Vec* changes) noexcept nogil:
    cdef Vec blocks
    cdef int status
    blocks.data = NULL
    blocks.size = 0
    blocks.capacity = 0
    status = _match_blocks(base, n, side, m, &blocks)
    if status == 0:
        status = _changes(&blocks, n, m, changes)
    _release(&blocks)
    return status


cdef bint _same(const id_t* x, Py_ssize_t x1, Py_ssize_t x2, const id_t* y, Py_ssize_t y1, Py_ssize_t y2) noexcept nogil:
    cdef Py_ssize_t t
    if x2 - x1 != y2 - y1:
        return False
    for t in range(x2 - x1):
        if x[x1 + t] != y[y1 + t]:
            return False
    return True


cdef inline Py_ssize_t _shift(const Vec* changes, Py_ssize_t index) noexcept nogil:
    """How far a side's positions are ahead of base's before its change at ``index`` (a quadruple offset)."""
    if index == 0:
        return 0
    return changes.data[index - 1] - changes.data[index - 3]


cdef inline Py_ssize_t _absorb(const Vec* changes, Py_ssize_t index, Py_ssize_t* end) noexcept nogil:
    """Take the changes from ``index`` on that start at or before ``end``; return the next index."""
    while index < changes.size and changes.data[index] <= end[0]:
        if changes.data[index + 1] > end[0]:
            end[0] = changes.data[index + 1]
        index += 4
    return index


cdef tuple _stable(Py_ssize_t b1, Py_ssize_t b2, Py_ssize_t ours_shift, Py_ssize_t theirs_shift):
    """The stable chunk over base ``[b1, b2)``."""
    return (_STABLE, b1, b2, b1 + ours_shift, b2 + ours_shift, b1 + theirs_shift, b2 + theirs_shift)


cdef list _chunks(const id_t* ours, const id_t* theirs, Py_ssize_t end, const Vec* oc, const Vec* tc):
    """Walk both change lists (``(i1, i2, j1, j2)`` quadruples) over a base of length ``end``."""
    cdef list chunks = []
    cdef Py_ssize_t io = 0, it = 0, pos = 0, first_o, first_t, b1, b2, grown, o1, o2, t1, t2
    cdef int kind
    while io < oc.size or it < tc.size:
        if it == tc.size or (io < oc.size and oc.data[io] <= tc.data[it]):
            b1 = oc.data[io]
        else:
            b1 = tc.data[it]
        if pos < b1:
            chunks.append(_stable(pos, b1, _shift(oc, io), _shift(tc, it)))
        o1 = b1 + _shift(oc, io)
        t1 = b1 + _shift(tc, it)
        first_o = io
        first_t = it
        b2 = b1
        while True:
            io = _absorb(oc, io, &b2)
            grown = b2
            it = _absorb(tc, it, &grown)
            if grown == b2:
                break
            b2 = grown
        o2 = b2 + _shift(oc, io)
        t2 = b2 + _shift(tc, it)
        if it == first_t:
            kind = _OURS
        elif io == first_o:
            kind = _THEIRS
        else:
            kind = _BOTH if _same(ours, o1, o2, theirs, t1, t2) else _CONFLICT
        chunks.append((kind, b1, b2, o1, o2, t1, t2))
        pos = b2
    if pos < end:
        chunks.append(_stable(pos, end, _shift(oc, io), _shift(tc, it)))
    return chunks


def merge3_ids(base, ours, theirs):
    """Return the diff3 chunks ``(kind, b1, b2, o1, o2, t1, t2)`` aligning base, ours and theirs.

    The chunks cover the three lists in order. Changes are the non-equal opcodes of ``diff_ids(base, ours)``
    and ``diff_ids(base, theirs)``; a chunk starts at the change with the lowest base start and takes in
    every further change, of either side, whose base start is at or before the chunk's base end so far: base
    ranges that overlap or touch are joined, and so are two insertions at the same base position. Kinds:
    0 stable (no change; all three equal), 1 only ours changed, 2 only theirs changed, 3 both changed to the
    same ids, 4 conflict (both changed, differently). Stable chunks are never empty.
    """
    cdef Py_ssize_t nb = 0, no = 0, nt = 0
    cdef id_t* bs = _ids(base, &nb)
    cdef id_t* ours_ids = NULL
    cdef id_t* theirs_ids = NULL
    cdef Vec oc, tc
    cdef int status
    oc.data = NULL
    oc.size = 0
    oc.capacity = 0
    tc.data = NULL
    tc.size = 0
    tc.capacity = 0
    try:
        ours_ids = _ids(ours, &no)
        theirs_ids = _ids(theirs, &nt)
        with nogil:
            status = _side_changes(bs, nb, ours_ids, no, &oc)
            if status == 0:
                status = _side_changes(bs, nb, theirs_ids, nt, &tc)
        if status < 0:
            raise MemoryError()
        return _chunks(ours_ids, theirs_ids, nb, &oc, &tc)
    finally:
        free(bs)
        free(ours_ids)
        free(theirs_ids)
        _release(&oc)
        _release(&tc)
