"""The SQLite store: progress snapshots, operation timings and events, shared by every worktree of a repository.

One writer thread owns the only writing connection; callers hand it work through a queue, so the UI
thread never waits on a write. Reads open their own short-lived connection (WAL lets them run beside
the writer). Every write is its own transaction, so killing the process at any moment leaves a
readable database.
"""

from __future__ import annotations

import itertools
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

from cdev_tui.errors import CdevError
from cdev_tui.store_schema import migrate


def _changes(
    before: Sequence[tuple[Any, ...]], rows: Iterable[tuple[Any, ...]]
) -> Iterator[AgentSnapshotRow]:
    """One agent's snapshot rows (agent, status, done, total, dirty, ahead, ts) that differ from the row before
    them, ``before`` (the last row earlier than those, if any) first."""
    previous: tuple[Any, ...] | None = None
    new_row = tuple.__new__  # a named tuple without _make's checks: a day of per-minute rows is read here
    for row in itertools.chain(before, rows):
        state = row[1:6]
        if state != previous:
            previous = state
            yield new_row(AgentSnapshotRow, row)


def default_db_path(git_common_dir: Path) -> Path:
    """``<git common dir>/cdev/cdev.db``: one store per repository, never committed."""
    return git_common_dir / "cdev" / "cdev.db"


class AgentSnapshotRow(NamedTuple):
    """An agent's progress at one moment (a named tuple: a year of them is read when the Metrics pane opens)."""

    agent_id: str
    status: str
    done: int
    total: int
    dirty: int
    ahead: int
    ts: float


@dataclass(frozen=True)
class TimingRow:
    """How long one operation took."""

    op: str
    seconds: float
    detail: str
    ts: float


@dataclass(frozen=True)
class VoiceRow:
    """One utterance: what was heard, the command it became, how sure and how fast. Never the audio."""

    heard: str
    command_id: str | None
    args: str
    """The command's arguments as JSON."""
    confidence: float
    latency_ms: float
    outcome: str
    """``run`` (executed), ``asked`` (a destructive command waiting for yes or no), ``confirmed``,
    ``declined``, ``alternatives`` (offered, not run), ``none`` (no command matched), ``rejected`` (silence
    or a hallucination)."""
    ts: float


@dataclass(frozen=True)
class EventRow:
    """Something that happened to the workspace or an agent."""

    kind: str
    agent_id: str
    message: str
    ts: float


@dataclass(frozen=True)
class OutcomeRow:
    """How one thing ended, for the outcome figures (:mod:`cdev_tui.metrics_outcomes` says what each holds).

    ``kind`` is ``integrate`` (one agent's step of a run), ``predict`` (a predicted conflict, or the
    prediction itself) or ``resolve`` (one written hunk and where its resolution came from).
    """

    ts: float
    kind: str
    run: str
    """What the row belongs to: the integration branch, the prediction, the resolved operation."""
    subject: str
    """The agent, the first side of a pair, or the resolved file."""
    other: str
    """The step's position, the pair's other side, or the hunk's number."""
    outcome: str
    files: tuple[str, ...] = ()


def _connect(path: Path) -> sqlite3.Connection:
    if path.is_dir():
        raise CdevError(f"{path}: is a directory, expected the store's database file")
    try:
        conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise CdevError(f"{path}: cannot open the store ({exc})") from None
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CdevError(f"{path}: not a cdev-tui database ({exc})") from None
    return conn


@dataclass(frozen=True)
class LastKnownRow:
    """A saved last known state, as stored: what :mod:`cdev_tui.workspace.last_known` checks and decodes."""

    repo: str
    format: str
    taken_at: float
    data: str


def read_last_known_row(db: Path, name: str) -> LastKnownRow | None:
    """The row saved under ``name``, read-only and without the store's writer (the first frame reads it);
    None without a store file or a saved row. Raises ``sqlite3.Error`` for a file that is not a store."""
    if not db.is_file():
        return None
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    try:
        row = conn.execute(
            "SELECT repo, format, taken_at, data FROM last_known WHERE name = ?", (name,)
        ).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # a store from before last known states were kept
        raise
    finally:
        conn.close()
    return None if row is None else LastKnownRow(row[0], row[1], float(row[2]), row[3])


_STOP = object()


class Store:
    """The repository's store. Writes go through one writer thread; reads are direct."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CdevError(f"{path.parent}: cannot create the store folder ({exc.strerror})") from None
        conn = _connect(path)
        try:
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise CdevError(f"{path}: not a cdev-tui database ({exc})") from None
        finally:
            conn.close()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._timing_listeners: list[Callable[[TimingRow], None]] = []
        self._thread = threading.Thread(target=self._run_writer, name="cdev-store-writer", daemon=True)
        self._thread.start()

    # -- writing ---------------------------------------------------------------------------------

    def _run_writer(self) -> None:
        conn = _connect(self.path)
        try:
            while True:
                job = self._queue.get()
                if job is _STOP:
                    return
                work, future = job
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    result = work(conn)
                    conn.execute("COMMIT")
                    future.set_result(result)
                except BaseException as exc:  # a failed write must not kill the writer
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    future.set_exception(exc)
        finally:
            conn.close()

    def submit(self, work: Callable[[sqlite3.Connection], Any]) -> Future[Any]:
        """Run ``work(conn)`` in one transaction on the writer thread."""
        future: Future[Any] = Future()
        if not self._thread.is_alive():
            future.set_exception(CdevError(f"{self.path}: store is closed"))
            return future
        self._queue.put((work, future))
        return future

    def record_snapshots(self, rows: Sequence[AgentSnapshotRow]) -> Future[Any]:
        """Append agent progress snapshots."""
        data = [r._asdict() for r in rows]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO agent_snapshots (agent_id, status, done, total, dirty, ahead, ts) "
                "VALUES (:agent_id, :status, :done, :total, :dirty, :ahead, :ts)",
                data,
            )

        return self.submit(work)

    def record_timing(self, op: str, seconds: float, detail: str = "") -> Future[Any]:
        """Append how long an operation took, then tell the timing listeners (on the caller's thread)."""
        timing = TimingRow(op, seconds, detail, time.time())
        row = (timing.ts, op, seconds, detail)
        future = self.submit(
            lambda conn: conn.execute(
                "INSERT INTO timings (ts, op, seconds, detail) VALUES (?, ?, ?, ?)", row
            )
        )
        for listener in self._timing_listeners:
            with suppress(Exception):  # a listener (telemetry) never breaks the operation it hears of
                listener(timing)
        return future

    def add_timing_listener(self, listener: Callable[[TimingRow], None]) -> None:
        """Call ``listener(row)`` after every :meth:`record_timing` (the row is queued for the store first)."""
        self._timing_listeners.append(listener)

    def record_event(self, kind: str, message: str, agent_id: str = "") -> Future[Any]:
        """Append an event (a state change or an action)."""
        row = (time.time(), kind, agent_id, message)
        return self.submit(
            lambda conn: conn.execute(
                "INSERT INTO events (ts, kind, agent_id, message) VALUES (?, ?, ?, ?)", row
            )
        )

    def record_outcomes(self, rows: Sequence[OutcomeRow]) -> Future[Any]:
        """Append how things ended (integration steps, predicted conflicts, resolved hunks)."""
        data = [(r.ts, r.kind, r.run, r.subject, r.other, r.outcome, "\n".join(r.files)) for r in rows]
        return self.submit(
            lambda conn: conn.executemany(
                "INSERT INTO outcomes (ts, kind, run, subject, other, outcome, files) VALUES (?, ?, ?, ?, ?, ?, ?)",
                data,
            )
        )

    def record_voice(self, row: VoiceRow) -> Future[Any]:
        """Append one utterance to the voice log."""
        data = asdict(row)

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO voice_log (ts, heard, command_id, args, confidence, latency_ms, outcome) "
                "VALUES (:ts, :heard, :command_id, :args, :confidence, :latency_ms, :outcome)",
                data,
            )

        return self.submit(work)

    def cache_put(self, kind: str, items: Mapping[str, str]) -> Future[Any]:
        """Keep values (JSON text) under immutable keys (git object ids) of one ``kind``."""
        rows = [(kind, key, value, time.time()) for key, value in items.items()]
        return self.submit(
            lambda conn: conn.executemany(
                "INSERT OR REPLACE INTO object_cache (kind, key, value, stored) VALUES (?, ?, ?, ?)", rows
            )
        )

    def record_cache_stats(self, counts: Mapping[str, tuple[int, int]]) -> Future[Any]:
        """Add hits and misses per operation to the running totals."""
        rows = [(op, hits, misses, time.time()) for op, (hits, misses) in counts.items() if hits or misses]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO cache_stats (op, hits, misses, updated) VALUES (?, ?, ?, ?) ON CONFLICT(op) "
                "DO UPDATE SET hits = hits + excluded.hits, misses = misses + excluded.misses, "
                "updated = excluded.updated",
                rows,
            )

        return self.submit(work)

    def save_last_known(self, name: str, repo: str, format: str, taken_at: float, data: str) -> Future[Any]:
        """Replace the last known ``name`` (``workspace``, ``conflicts``), drawn at the next start before git
        is asked."""
        row = (name, repo, format, taken_at, data)
        return self.submit(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO last_known (name, repo, format, taken_at, data) VALUES (?, ?, ?, ?, ?)",
                row,
            )
        )

    def record_session_state(
        self, agent_id: str, state: str, since: float, program: str, exit_code: int | None = None
    ) -> Future[Any]:
        """An agent's program entered ``state`` at ``since``: the state it was in ends there."""

        def work(conn: sqlite3.Connection) -> None:
            open_row = conn.execute(
                "SELECT id, state FROM session_states WHERE agent_id = ? AND ended IS NULL "
                "ORDER BY started DESC LIMIT 1",
                (agent_id,),
            ).fetchone()
            if open_row is not None and open_row[1] == state:
                return
            conn.execute(
                "UPDATE session_states SET ended = ? WHERE agent_id = ? AND ended IS NULL", (since, agent_id)
            )
            if state != "ended":
                conn.execute(
                    "INSERT INTO session_states (agent_id, state, started, program, exit_code) VALUES (?, ?, ?, ?, ?)",
                    (agent_id, state, since, program, exit_code),
                )

        return self.submit(work)

    def session_seconds(self, state: str, now: float | None = None) -> dict[str, float]:
        """Agent id → seconds its program has spent in ``state`` (``waiting``: time waiting for a human)."""
        now = time.time() if now is None else now
        sql = (
            "SELECT agent_id, sum(coalesce(ended, ?) - started) AS seconds FROM session_states "
            "WHERE state = ? GROUP BY agent_id"
        )
        return {r["agent_id"]: max(0.0, r["seconds"]) for r in self.query(sql, [now, state])}

    def record_usage(self, agent_id: str, task_id: str, program: str, usage: Any) -> Future[Any]:
        """Keep an agent's token usage and estimated cost (a :class:`cdev_tui.sessions.usage.Usage`)."""
        row = (
            agent_id,
            task_id,
            program,
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_write_tokens,
            usage.cache_read_tokens,
            usage.cost_usd,
            ",".join(usage.models),
            time.time(),
        )
        return self.submit(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO agent_usage (agent_id, task_id, program, input, output, cache_write, "
                "cache_read, cost_usd, models, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )

    def compact(
        self, now: float | None = None, progress: Callable[[int, int], None] | None = None
    ) -> Future[Any]:
        """Thin out old history (:mod:`cdev_tui.retention`); the future's result says what went.

        ``progress(done, total)`` is called from the writer thread, per table and period thinned.
        """
        from cdev_tui.retention import compact

        when = time.time() if now is None else now

        def work(conn: sqlite3.Connection) -> Any:
            result = compact(conn, when, progress)
            conn.execute(
                "INSERT INTO events (ts, kind, agent_id, message) VALUES (?, 'store.compact', '', ?)",
                (when, f"removed {result.total} old rows"),
            )
            return result

        return self.submit(work)

    def last_compaction(self) -> float | None:
        """When the store was last compacted."""
        conn = sqlite3.connect(
            self.path, timeout=10
        )  # plain sqlite3: this runs after the first workspace read
        try:
            return conn.execute("SELECT max(ts) FROM events WHERE kind = 'store.compact'").fetchone()[0]
        finally:
            conn.close()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every write queued so far is committed."""
        self.submit(lambda conn: None).result(timeout)

    def close(self) -> None:
        """Finish queued writes and stop the writer."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=10)

    # -- reading ---------------------------------------------------------------------------------

    @contextmanager
    def _reader(self) -> Iterator[Any]:
        import sqlite_utils

        conn = sqlite3.connect(self.path, timeout=10)
        try:
            yield sqlite_utils.Database(conn)
        finally:
            conn.close()

    def latest_snapshots(self) -> dict[str, AgentSnapshotRow]:
        """Each agent's most recent snapshot."""
        sql = (
            "SELECT agent_id, status, done, total, dirty, ahead, max(ts) AS ts FROM agent_snapshots "
            "GROUP BY agent_id"
        )
        with self._reader() as db:
            return {r["agent_id"]: AgentSnapshotRow(**r) for r in db.query(sql)}

    def snapshots(self, since: float = 0.0, agent_id: str | None = None) -> list[AgentSnapshotRow]:
        """Snapshots in time order, optionally for one agent."""
        sql = "SELECT agent_id, status, done, total, dirty, ahead, ts FROM agent_snapshots WHERE ts >= ?"
        params: list[Any] = [since]
        if agent_id is not None:
            sql += " AND agent_id = ?"
            params.append(agent_id)
        conn = sqlite3.connect(self.path, timeout=10)  # plain tuples: a day of per-minute rows reads fast
        try:
            return list(map(AgentSnapshotRow._make, conn.execute(sql + " ORDER BY ts, id", params)))
        finally:
            conn.close()

    def snapshot_changes(self, start: float) -> list[AgentSnapshotRow]:
        """Each agent's last snapshot before ``start`` and its snapshots since that differ from the one before
        them (a repeat adds nothing to a plot, a replay or a pace), in time order; read agent by agent
        through the (agent, time) index."""
        columns = "agent_id, status, done, total, dirty, ahead, ts"
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            snapshots: list[AgentSnapshotRow] = []
            for (agent_id,) in conn.execute("SELECT DISTINCT agent_id FROM agent_snapshots").fetchall():
                before = conn.execute(
                    f"SELECT {columns} FROM agent_snapshots WHERE agent_id = ? AND ts < ? "
                    "ORDER BY ts DESC, id DESC LIMIT 1",
                    (agent_id, start),
                ).fetchall()
                since = conn.execute(
                    f"SELECT {columns} FROM agent_snapshots WHERE agent_id = ? AND ts >= ? ORDER BY ts, id",
                    (agent_id, start),
                )
                snapshots += _changes(before, since)
        finally:
            conn.close()
        snapshots.sort(key=lambda r: r.ts)
        return snapshots

    def timings_since(self, start: float) -> list[TimingRow]:
        """Every timing since ``start`` in time order, read operation by operation through the index."""
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            timings: list[TimingRow] = []
            for (op,) in conn.execute("SELECT DISTINCT op FROM timings").fetchall():
                rows = conn.execute(
                    "SELECT op, seconds, detail, ts FROM timings WHERE op = ? AND ts >= ? ORDER BY ts, id",
                    (op, start),
                )
                timings += (TimingRow(*r) for r in rows)
        finally:
            conn.close()
        timings.sort(key=lambda r: r.ts)
        return timings

    def first_snapshot_time(self) -> float | None:
        """When the oldest kept snapshot was taken (None: no history yet)."""
        rows = self.query("SELECT min(ts) AS ts FROM agent_snapshots")
        return rows[0]["ts"] if rows else None

    def session_intervals(self, state: str, since: float) -> list[tuple[str, float, float | None]]:
        """(agent, started, ended or None while it lasts) for every interval in ``state`` reaching past
        ``since``."""
        sql = (
            "SELECT agent_id, started, ended FROM session_states WHERE state = ? "
            "AND (ended IS NULL OR ended >= ?) ORDER BY started"
        )
        return [(r["agent_id"], r["started"], r["ended"]) for r in self.query(sql, [state, since])]

    def timings(self, op: str | None = None, limit: int = 500) -> list[TimingRow]:
        """The most recent timings, newest last."""
        sql = "SELECT op, seconds, detail, ts FROM timings"
        params: list[Any] = []
        if op is not None:
            sql += " WHERE op = ?"
            params.append(op)
        with self._reader() as db:
            rows = list(db.query(sql + " ORDER BY ts DESC, id DESC LIMIT ?", [*params, limit]))
        return [TimingRow(**r) for r in reversed(rows)]

    def events(self, limit: int = 200) -> list[EventRow]:
        """The most recent events, newest last."""
        with self._reader() as db:
            rows = list(
                db.query(
                    "SELECT kind, agent_id, message, ts FROM events ORDER BY ts DESC, id DESC LIMIT ?",
                    [limit],
                )
            )
        return [EventRow(**r) for r in reversed(rows)]

    def outcomes(self, kind: str, since: float = 0.0) -> list[OutcomeRow]:
        """The outcomes of one ``kind`` recorded since ``since``, in time order."""
        sql = (
            "SELECT ts, kind, run, subject, other, outcome, files FROM outcomes WHERE kind = ? AND ts >= ? "
            "ORDER BY ts, id"
        )
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            rows = conn.execute(sql, (kind, since)).fetchall()
        finally:
            conn.close()
        return [OutcomeRow(*r[:6], tuple(r[6].split("\n")) if r[6] else ()) for r in rows]

    def voice_log(self, limit: int = 500) -> list[VoiceRow]:
        """The most recent utterances, newest last."""
        sql = (
            "SELECT heard, command_id, args, confidence, latency_ms, outcome, ts FROM voice_log "
            "ORDER BY ts DESC, id DESC LIMIT ?"
        )
        with self._reader() as db:
            rows = list(db.query(sql, [limit]))
        return [VoiceRow(**r) for r in reversed(rows)]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query, as dicts (its own short-lived connection)."""
        with self._reader() as db:
            return list(db.query(sql, list(params)))

    def cache_get(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """The values kept under ``keys`` of one ``kind`` (missing keys are left out)."""
        found: dict[str, str] = {}
        # Plain sqlite3: this is on the path to the first live frame, where sqlite-utils' import would cost
        # more than the whole lookup.
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT key, value FROM object_cache WHERE kind = ? AND key IN ({marks})"
                found.update(conn.execute(sql, [kind, *chunk]).fetchall())
        finally:
            conn.close()
        return found

    def cache_stats(self) -> dict[str, tuple[int, int]]:
        """Hits and misses per operation since the store was made."""
        with self._reader() as db:
            return {
                r["op"]: (r["hits"], r["misses"])
                for r in db.query("SELECT op, hits, misses FROM cache_stats")
            }

    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        with self._reader() as db:
            return next(db.query("SELECT max(version) AS v FROM schema_version"))["v"]
