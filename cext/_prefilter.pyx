# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled keyword prefilter: one pass of an Aho-Corasick automaton over a file's bytes.

Same class, signatures and results as ``_prefilter_py`` (its docstring states them: lines split on ``\\n``
only, a CRLF line keeps its ``\\r`` inside ``[start, end)``, ASCII case ignored, bytes ``>= 0x80`` exact).

The automaton is built once per matcher and compiled into a dense DFA: one row of 256 next states per trie
node, the failure links already folded in, upper-case ASCII bytes sent where their lower-case twin goes (so
the data is never lower-cased). States are numbered so that every state that ends a keyword comes after every
state that ends none, and a state is stored as its row's offset in the table, so the per-byte work is one
table lookup and one comparison.

The text is cut at line starts into ``_STREAMS`` parts that one loop walks side by side: each walk is a chain
of dependent loads, and the CPU overlaps independent chains. A part can start at the root because a keyword
never spans lines. A hit (a state that ends a keyword) is handled on the spot by its part: a hit on a new line
closes the previous line, counts the newlines since it and finds the new line's bounds with ``memchr``; then
the state's keywords (its output set, failure links included) are added to the line's set. Beyond the walk,
bytes are only looked at again to count the newlines between hits and to find the bounds of lines with hits;
memory grows with the result, not with the number of hits. Everything but building the result list runs
without the GIL, so threads can scan different files at the same time.
"""

from libc.stdint cimport int32_t, uint32_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memchr, memset

__all__ = ["KeywordMatcher", "check_keywords"]

cdef enum:
    _ALPHABET = 256
    _STREAMS = 4  # parts of the text walked side by side
    _MIN_PART = 4096  # below this many bytes per part, one walk
    _LINE_FIELDS = 5  # (line index within the part, start, end, first, last) per line in Part.lines


def check_keywords(keywords):
    """``keywords`` as a list; ``ValueError`` if one is empty or holds upper-case ASCII or a newline,
    ``TypeError`` if one is not ``bytes``."""
    cdef list checked = []
    for index, keyword in enumerate(keywords):
        if not isinstance(keyword, bytes):
            raise TypeError(f"keyword {index} must be bytes, not {type(keyword).__name__}")
        if not keyword:
            raise ValueError(f"keyword {index} is empty")
        if keyword != keyword.lower():
            raise ValueError(f"keyword {index} ({keyword!r}) must be lower-case: matching ignores ASCII case")
        if b"\n" in keyword:
            raise ValueError(f"keyword {index} ({keyword!r}) holds a newline: keywords never span lines")
        checked.append(keyword)
    return checked


# --- growable buffers -----------------------------------------------------------------------------------


cdef struct Buf:
    Py_ssize_t* data
    Py_ssize_t size
    Py_ssize_t capacity


cdef int _reserve(Buf* b, Py_ssize_t capacity) noexcept nogil:
    """Make room for ``capacity`` entries; -1 when out of memory."""
    cdef Py_ssize_t grown
    cdef Py_ssize_t* data
    if capacity <= b.capacity:
        return 0
    grown = b.capacity * 2 if b.capacity * 2 > capacity else capacity
    if grown < 64:
        grown = 64
    data = <Py_ssize_t*>realloc(b.data, grown * sizeof(Py_ssize_t))
    if data == NULL:
        return -1
    b.data = data
    b.capacity = grown
    return 0


cdef inline void _release(Buf* b) noexcept nogil:
    free(b.data)
    b.data = NULL
    b.size = 0
    b.capacity = 0


# --- one part of the text -------------------------------------------------------------------------------


cdef struct Part:
    const unsigned char* d  # the whole text
    Py_ssize_t begin  # the part is d[begin:end]; begin is a line start, end is one or len(d)
    Py_ssize_t end
    const int32_t* out_start  # state -> its keywords are outputs[out_start[state]:out_start[state + 1]]
    const int32_t* outputs
    Py_ssize_t* seen  # keyword -> the last line (index within the part) it was added to, or -1
    Py_ssize_t line  # the open line: index within the part (-1 before the first hit), bounds, first keyword
    Py_ssize_t line_start
    Py_ssize_t line_end
    Py_ssize_t first
    Buf lines  # _LINE_FIELDS entries per closed line
    Buf found  # the lines' keyword indexes


cdef inline Py_ssize_t _count_newlines(
    const unsigned char* d, Py_ssize_t begin, Py_ssize_t end
) noexcept nogil:
    cdef Py_ssize_t i, count = 0
    for i in range(begin, end):
        count += d[i] == 10
    return count


cdef int _close_line(Part* p) noexcept nogil:
    """Sort the open line's keyword indexes (few: insertion sort) and record the line."""
    cdef Py_ssize_t i, j, value
    cdef Py_ssize_t* found = p.found.data
    for i in range(p.first + 1, p.found.size):
        value = found[i]
        j = i
        while j > p.first and found[j - 1] > value:
            found[j] = found[j - 1]
            j -= 1
        found[j] = value
    if _reserve(&p.lines, p.lines.size + _LINE_FIELDS) < 0:
        return -1
    p.lines.data[p.lines.size] = p.line
    p.lines.data[p.lines.size + 1] = p.line_start
    p.lines.data[p.lines.size + 2] = p.line_end
    p.lines.data[p.lines.size + 3] = p.first
    p.lines.data[p.lines.size + 4] = p.found.size
    p.lines.size += _LINE_FIELDS
    return 0


cdef int _hit(Part* p, Py_ssize_t pos, uint32_t row) noexcept nogil:
    """A keyword ends at ``pos`` in the state at table offset ``row``: add its keywords to ``pos``'s line."""
    cdef const unsigned char* d = p.d
    cdef const void* newline
    cdef Py_ssize_t low, j, state = row // _ALPHABET
    cdef int32_t keyword
    if pos > p.line_end:
        # The first hit on a line: close the open line, count the newlines in between, find the bounds.
        if p.line < 0:
            low = p.begin
            p.line = _count_newlines(d, low, pos)
        else:
            if _close_line(p) < 0:
                return -1
            low = p.line_end + 1
            p.line += 1 + _count_newlines(d, low, pos)
        p.line_start = pos
        while p.line_start > low and d[p.line_start - 1] != 10:
            p.line_start -= 1
        newline = memchr(d + pos, 10, p.end - pos)
        p.line_end = p.end if newline == NULL else <const unsigned char*>newline - d
        p.first = p.found.size
    for j in range(p.out_start[state], p.out_start[state + 1]):
        keyword = p.outputs[j]
        if p.seen[keyword] != p.line:
            p.seen[keyword] = p.line
            if _reserve(&p.found, p.found.size + 1) < 0:
                return -1
            p.found.data[p.found.size] = keyword
            p.found.size += 1
    return 0


cdef Py_ssize_t _newlines_in(const Part* p) noexcept nogil:
    """How many newlines the part holds (counting only past its last line with a hit)."""
    if p.line < 0:
        return _count_newlines(p.d, p.begin, p.end)
    if p.line_end == p.end:
        return p.line
    return p.line + 1 + _count_newlines(p.d, p.line_end + 1, p.end)


cdef int _finish(Part* p) noexcept nogil:
    """Close the open line, if any."""
    return _close_line(p) if p.line >= 0 else 0


# --- the walks ------------------------------------------------------------------------------------------


cdef int _walk(
    const uint32_t* table, uint32_t first_out, Part* p, uint32_t s, Py_ssize_t begin
) noexcept nogil:
    """Walk ``p.d[begin:p.end]`` from state ``s``."""
    cdef const unsigned char* d = p.d
    cdef Py_ssize_t i
    for i in range(begin, p.end):
        s = table[s + d[i]]
        if s >= first_out and _hit(p, i, s) < 0:
            return -1
    return 0


cdef int _walk_parts(const uint32_t* table, uint32_t first_out, Part* parts) noexcept nogil:
    """Walk the ``_STREAMS`` parts side by side for as long as the shortest, then each to its end alone."""
    cdef uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0
    cdef const unsigned char* p0 = parts[0].d + parts[0].begin
    cdef const unsigned char* p1 = parts[1].d + parts[1].begin
    cdef const unsigned char* p2 = parts[2].d + parts[2].begin
    cdef const unsigned char* p3 = parts[3].d + parts[3].begin
    cdef Py_ssize_t i, k, common = parts[0].end - parts[0].begin
    for k in range(1, _STREAMS):
        if parts[k].end - parts[k].begin < common:
            common = parts[k].end - parts[k].begin
    for i in range(common):
        s0 = table[s0 + p0[i]]
        s1 = table[s1 + p1[i]]
        s2 = table[s2 + p2[i]]
        s3 = table[s3 + p3[i]]
        if s0 >= first_out and _hit(&parts[0], parts[0].begin + i, s0) < 0:
            return -1
        if s1 >= first_out and _hit(&parts[1], parts[1].begin + i, s1) < 0:
            return -1
        if s2 >= first_out and _hit(&parts[2], parts[2].begin + i, s2) < 0:
            return -1
        if s3 >= first_out and _hit(&parts[3], parts[3].begin + i, s3) < 0:
            return -1
    if (
        _walk(table, first_out, &parts[0], s0, parts[0].begin + common) < 0
        or _walk(table, first_out, &parts[1], s1, parts[1].begin + common) < 0
        or _walk(table, first_out, &parts[2], s2, parts[2].begin + common) < 0
        or _walk(table, first_out, &parts[3], s3, parts[3].begin + common) < 0
    ):
        return -1
    return 0


cdef int _scan(
    const uint32_t* table, uint32_t first_out, Part* parts, int count, const unsigned char* d, Py_ssize_t n
) noexcept nogil:
    """Cut ``d`` into ``count`` parts (1 or ``_STREAMS``), walk them, close their lines; -1: out of memory."""
    cdef const void* newline
    cdef Py_ssize_t cut
    cdef int k
    parts[0].begin = 0
    for k in range(1, count):
        # Cut after the first newline from an even split, so that each part starts a line.
        cut = n * k // count
        if cut < parts[k - 1].begin:
            cut = parts[k - 1].begin
        newline = memchr(d + cut, 10, n - cut)
        cut = n if newline == NULL else <const unsigned char*>newline - d + 1
        parts[k - 1].end = cut
        parts[k].begin = cut
    parts[count - 1].end = n
    if count == _STREAMS:
        if _walk_parts(table, first_out, parts) < 0:
            return -1
    elif _walk(table, first_out, &parts[0], 0, 0) < 0:
        return -1
    for k in range(count):
        if _finish(&parts[k]) < 0:
            return -1
    return 0


# --- the matcher ----------------------------------------------------------------------------------------


cdef class KeywordMatcher:
    """Finds the lines of a file that hold any of a fixed set of keywords, and which keywords they hold."""

    cdef readonly tuple keywords
    cdef uint32_t* _table  # rows of _ALPHABET next-row offsets
    cdef uint32_t _first_out  # offset of the first row that ends a keyword
    cdef int32_t* _out_start  # state -> its keyword indexes are _outputs[_out_start[s]:_out_start[s + 1]]
    cdef int32_t* _outputs

    def __cinit__(self):
        self._table = NULL
        self._out_start = NULL
        self._outputs = NULL

    def __dealloc__(self):
        free(self._table)
        free(self._out_start)
        free(self._outputs)

    def __init__(self, keywords):
        self.keywords = tuple(check_keywords(keywords))
        self._build()

    def __repr__(self):
        return f"KeywordMatcher({len(self.keywords)} keywords)"

    cdef _build(self):
        """The trie, its failure links and output sets, then the renumbered dense DFA."""
        cdef Py_ssize_t capacity = 1 + sum(len(k) for k in self.keywords)
        cdef Py_ssize_t states = 1, s, u, f, head, c, index, count, total
        cdef bytes keyword
        cdef const unsigned char* k
        cdef int32_t* goto_ = NULL
        cdef int32_t* fail = NULL
        cdef int32_t* queue = NULL
        cdef int32_t* number = NULL
        if capacity * _ALPHABET >= 0xFFFFFFFF:
            raise ValueError("too many keyword bytes for one matcher")
        # Per trie state, the keyword indexes that end there; extended by the failure links below.
        ends = [[] for _ in range(capacity)]
        try:
            goto_ = <int32_t*>malloc(capacity * _ALPHABET * sizeof(int32_t))
            fail = <int32_t*>malloc(capacity * sizeof(int32_t))
            queue = <int32_t*>malloc(capacity * sizeof(int32_t))
            number = <int32_t*>malloc(capacity * sizeof(int32_t))
            if goto_ == NULL or fail == NULL or queue == NULL or number == NULL:
                raise MemoryError()
            memset(goto_, 0xFF, capacity * _ALPHABET * sizeof(int32_t))  # -1: no edge
            for index, keyword in enumerate(self.keywords):
                k = keyword
                s = 0
                for c in range(len(keyword)):
                    if goto_[s * _ALPHABET + k[c]] < 0:
                        goto_[s * _ALPHABET + k[c]] = states
                        states += 1
                    s = goto_[s * _ALPHABET + k[c]]
                ends[s].append(index)
            # Breadth first: a state's failure target is shallower, so its row is complete when needed.
            # ``goto_`` becomes the DFA: a missing edge takes the failure target's transition.
            fail[0] = 0
            queue[0] = 0
            count = 1
            head = 0
            while head < count:
                s = queue[head]
                head += 1
                f = fail[s]
                for c in range(_ALPHABET):
                    if ord("A") <= c <= ord("Z"):
                        continue
                    u = goto_[s * _ALPHABET + c]
                    if u < 0:
                        goto_[s * _ALPHABET + c] = goto_[f * _ALPHABET + c] if s else 0
                    else:
                        fail[u] = goto_[f * _ALPHABET + c] if s else 0
                        if ends[fail[u]]:
                            ends[u] = ends[u] + ends[fail[u]]
                        queue[count] = u
                        count += 1
                for c in range(ord("A"), ord("Z") + 1):
                    goto_[s * _ALPHABET + c] = goto_[s * _ALPHABET + c + 32]
            # Renumber: states without output first (the root stays 0), then those with, in BFS order.
            total = 0
            f = 0
            for head in range(states):
                if not ends[queue[head]]:
                    number[queue[head]] = f
                    f += 1
            self._first_out = <uint32_t>(f * _ALPHABET)
            for head in range(states):
                s = queue[head]
                if ends[s]:
                    number[s] = f
                    f += 1
                    ends[s] = sorted(set(ends[s]))
                    total += len(ends[s])
            self._table = <uint32_t*>malloc(states * _ALPHABET * sizeof(uint32_t))
            self._out_start = <int32_t*>malloc((states + 1) * sizeof(int32_t))
            self._outputs = <int32_t*>malloc((total if total else 1) * sizeof(int32_t))
            if self._table == NULL or self._out_start == NULL or self._outputs == NULL:
                raise MemoryError()
            for s in range(states):
                u = number[s] * _ALPHABET
                for c in range(_ALPHABET):
                    self._table[u + c] = <uint32_t>(number[goto_[s * _ALPHABET + c]] * _ALPHABET)
            # Output lists in the new numbering (states without output have an empty range).
            memset(self._out_start, 0, (states + 1) * sizeof(int32_t))
            total = 0
            for head in range(states):
                s = queue[head]
                if ends[s]:
                    self._out_start[number[s]] = <int32_t>total
                    for index in ends[s]:
                        self._outputs[total] = <int32_t>index
                        total += 1
            self._out_start[states] = <int32_t>total
        finally:
            free(goto_)
            free(fail)
            free(queue)
            free(number)

    def candidate_lines(self, data):
        """``(line index, start, end, keyword indexes)`` of every line of ``data`` holding a keyword."""
        if not isinstance(data, (bytes, bytearray)):
            # Any buffer, read as its bytes in C order (like ``bytes(memoryview(data))``).
            data = memoryview(data)
            data = data.cast("B") if data.c_contiguous else data.tobytes()
        cdef const unsigned char[::1] view = data
        cdef Py_ssize_t n = view.shape[0], keywords = len(self.keywords), offset = 0, i, j, first, last
        cdef Part parts[_STREAMS]
        cdef Py_ssize_t* seen = NULL
        cdef int k, count = _STREAMS if n >= _STREAMS * _MIN_PART else 1, status
        cdef list result = []
        if n == 0 or keywords == 0:
            return result
        seen = <Py_ssize_t*>malloc(count * keywords * sizeof(Py_ssize_t))
        if seen == NULL:
            raise MemoryError()
        memset(parts, 0, sizeof(parts))
        for k in range(count):
            parts[k].d = &view[0]
            parts[k].out_start = self._out_start
            parts[k].outputs = self._outputs
            parts[k].seen = seen + k * keywords
            parts[k].line = -1
            parts[k].line_end = -1
        try:
            with nogil:
                memset(seen, 0xFF, count * keywords * sizeof(Py_ssize_t))  # all -1
                status = _scan(self._table, self._first_out, parts, count, &view[0], n)
            if status < 0:
                raise MemoryError()
            for k in range(count):
                if k > 0:
                    # Line indexes are counted from each part's start.
                    with nogil:
                        offset += _newlines_in(&parts[k - 1])
                for i in range(0, parts[k].lines.size, _LINE_FIELDS):
                    first = parts[k].lines.data[i + 3]
                    last = parts[k].lines.data[i + 4]
                    result.append(
                        (
                            offset + parts[k].lines.data[i],
                            parts[k].lines.data[i + 1],
                            parts[k].lines.data[i + 2],
                            tuple([parts[k].found.data[j] for j in range(first, last)]),
                        )
                    )
            return result
        finally:
            free(seen)
            for k in range(count):
                _release(&parts[k].lines)
                _release(&parts[k].found)
