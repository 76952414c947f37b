# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled line scanners: checklist items and counts, and git conflict regions.

Same signatures and results as ``_linescan_py``. The scanners read the string's code units in place through a
pointer of the string's own width (1, 2 or 4 bytes, see PEP 393), so the only Python objects created are the
results.
"""

from cpython.unicode cimport (
    Py_UCS1,
    Py_UCS2,
    Py_UNICODE_ISSPACE,
    PyUnicode_1BYTE_KIND,
    PyUnicode_2BYTE_KIND,
    PyUnicode_DATA,
    PyUnicode_KIND,
)
from libc.string cimport memchr

__all__ = ["checklist_counts", "checklist_items", "conflict_regions"]

ctypedef fused uchar:
    Py_UCS1
    Py_UCS2
    Py_UCS4

cdef enum:
    _BLOCK = 32  # code units tested at once when skipping lines that cannot be conflict markers


cdef inline str _as_str(object text):
    # A ``str``-typed argument would refuse subclasses of str, which the pure twin accepts.
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return <str>text


cdef inline Py_ssize_t _line_end(const uchar* s, Py_ssize_t pos, Py_ssize_t n) noexcept nogil:
    """Index of the ``\\n`` ending the line that starts at ``pos``, or ``n`` for the last line."""
    cdef const void* hit
    if uchar is Py_UCS1:
        hit = memchr(s + pos, ord("\n"), n - pos)
        return n if hit == NULL else <const Py_UCS1*>hit - s
    else:
        while pos < n and s[pos] != ord("\n"):
            pos += 1
        return pos


cdef inline Py_ssize_t _content_end(const uchar* s, Py_ssize_t pos, Py_ssize_t eol) noexcept nogil:
    """``eol`` moved back over one trailing ``\\r``."""
    return eol - 1 if eol > pos and s[eol - 1] == ord("\r") else eol


# --- checklist_items ------------------------------------------------------------------------------------


cdef inline Py_ssize_t _box_at(const uchar* s, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """Index of the ``[`` of the checklist box on the line ``[i, end)``, or -1 if it is not an item."""
    cdef Py_UCS4 c
    while i < end and (s[i] == ord(" ") or s[i] == ord("\t")):
        i += 1
    if i < end:
        c = s[i]
        if ord("0") <= c <= ord("9"):
            i += 1
            while i < end and ord("0") <= s[i] <= ord("9"):
                i += 1
            if i == end or (s[i] != ord(".") and s[i] != ord(")")):
                return -1
            i += 1
        elif c == ord("-") or c == ord("*") or c == ord("+"):
            i += 1
    while i < end and s[i] == ord(" "):
        i += 1
    if end - i < 3 or s[i] != ord("[") or s[i + 2] != ord("]"):
        return -1
    c = s[i + 1]
    if c != ord(" ") and c != ord("x") and c != ord("X"):
        return -1
    return i


cdef list _checklist_items(str text, const uchar* s, Py_ssize_t n):
    cdef Py_ssize_t pos = 0, line = 0, eol, end, box, first, last
    cdef list items = []
    while True:
        eol = _line_end(s, pos, n)
        end = _content_end(s, pos, eol)
        box = _box_at(s, pos, end)
        if box >= 0:
            first = box + 3
            last = end
            while first < last and Py_UNICODE_ISSPACE(s[first]):
                first += 1
            while last > first and Py_UNICODE_ISSPACE(s[last - 1]):
                last -= 1
            items.append((line, s[box + 1] != ord(" "), text[first:last]))
        if eol == n:
            return items
        pos = eol + 1
        line += 1


def checklist_items(text):
    """Return ``(line index, checked, item text)`` for every ``[ ]`` / ``[x]`` checklist line in ``text``."""
    cdef str string = _as_str(text)
    cdef Py_ssize_t n = len(string)
    cdef const void* data = PyUnicode_DATA(string)
    cdef int kind = PyUnicode_KIND(string)
    if kind == PyUnicode_1BYTE_KIND:
        return _checklist_items(string, <const Py_UCS1*>data, n)
    if kind == PyUnicode_2BYTE_KIND:
        return _checklist_items(string, <const Py_UCS2*>data, n)
    return _checklist_items(string, <const Py_UCS4*>data, n)


# --- checklist_counts -----------------------------------------------------------------------------------


cdef (Py_ssize_t, Py_ssize_t) _checklist_counts(const uchar* s, Py_ssize_t n) noexcept nogil:
    """``(done, total)`` of the items ``_checklist_items`` would return, without building them."""
    cdef Py_ssize_t pos = 0, done = 0, total = 0, eol, box
    while True:
        eol = _line_end(s, pos, n)
        box = _box_at(s, pos, _content_end(s, pos, eol))
        if box >= 0:
            total += 1
            done += s[box + 1] != ord(" ")
        if eol == n:
            return done, total
        pos = eol + 1


def checklist_counts(text):
    """Return ``(done, total)``: how many checklist items in ``text`` are ticked, and how many there are.

    The same items as ``checklist_items`` finds, counted without creating any per-line object.
    """
    cdef str string = _as_str(text)
    cdef Py_ssize_t n = len(string)
    cdef const void* data = PyUnicode_DATA(string)
    cdef int kind = PyUnicode_KIND(string)
    if kind == PyUnicode_1BYTE_KIND:
        return _checklist_counts(<const Py_UCS1*>data, n)
    if kind == PyUnicode_2BYTE_KIND:
        return _checklist_counts(<const Py_UCS2*>data, n)
    return _checklist_counts(<const Py_UCS4*>data, n)


# --- conflict_regions -----------------------------------------------------------------------------------


cdef inline bint _is_marker_char(Py_UCS4 c) noexcept nogil:
    return c == ord("<") or c == ord("|") or c == ord("=") or c == ord(">")


cdef inline bint _block_has_marker_start(const uchar* p) noexcept nogil:
    """Whether any ``\\n`` in ``p[:_BLOCK]`` is followed by a marker character."""
    cdef Py_UCS1 hit = 0
    cdef int k
    # Branch-free so that the C compiler vectorises it; reads p[_BLOCK], which the caller guarantees exists.
    for k in range(_BLOCK):
        hit |= (p[k] == ord("\n")) & (
            (p[k + 1] == ord("<")) | (p[k + 1] == ord("|")) | (p[k + 1] == ord("=")) | (p[k + 1] == ord(">"))
        )
    return hit != 0


cdef inline Py_ssize_t _count_newlines(const uchar* p) noexcept nogil:
    """Number of ``\\n`` in ``p[:_BLOCK]``."""
    cdef Py_UCS1 count = 0
    cdef int k
    for k in range(_BLOCK):
        count += p[k] == ord("\n")
    return count


cdef inline Py_UCS4 _marker_at(const uchar* s, Py_ssize_t pos, Py_ssize_t eol) noexcept nogil:
    """The marker character if the line ``[pos, eol)`` is a conflict marker line, else 0."""
    cdef Py_UCS4 c = s[pos]
    cdef Py_ssize_t i, end = _content_end(s, pos, eol)
    if end - pos < 7 or not _is_marker_char(c):
        return 0
    for i in range(pos + 1, pos + 7):
        if s[i] != c:
            return 0
    if end == pos + 7 or (c != ord("=") and s[pos + 7] == ord(" ")):
        return c
    return 0


cdef list _conflict_regions(const uchar* s, Py_ssize_t n):
    cdef Py_ssize_t pos = 0, line = 0, eol
    cdef Py_ssize_t start = -1, base = -1, middle = -1
    cdef Py_UCS4 marker
    cdef list regions = []
    while True:
        if pos < n and _is_marker_char(s[pos]):
            eol = _line_end(s, pos, n)
            marker = _marker_at(s, pos, eol)
        else:
            # This line is no marker; jump over whole blocks in which no other line can be one either.
            while pos + _BLOCK < n and not _block_has_marker_start(s + pos):
                line += _count_newlines(s + pos)
                pos += _BLOCK
            eol = _line_end(s, pos, n)
            marker = 0
        if marker == 0:
            pass
        elif marker == ord("<"):
            start = line
            base = -1
            middle = -1
        elif start < 0:
            pass
        elif marker == ord("|"):
            if base < 0 and middle < 0:
                base = line
        elif marker == ord("="):
            if middle < 0:
                middle = line
        elif middle >= 0:
            regions.append((start, base, middle, line))
            start = -1
            base = -1
            middle = -1
        if eol == n:
            return regions
        pos = eol + 1
        line += 1


def conflict_regions(text):
    """Return ``(start, base, middle, end)`` line indices of every complete conflict region in ``text``.

    ``base`` is -1 when the region has no ``|||||||`` section.
    """
    cdef str string = _as_str(text)
    cdef Py_ssize_t n = len(string)
    cdef const void* data = PyUnicode_DATA(string)
    cdef int kind = PyUnicode_KIND(string)
    if kind == PyUnicode_1BYTE_KIND:
        return _conflict_regions(<const Py_UCS1*>data, n)
    if kind == PyUnicode_2BYTE_KIND:
        return _conflict_regions(<const Py_UCS2*>data, n)
    return _conflict_regions(<const Py_UCS4*>data, n)
