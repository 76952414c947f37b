"""Benchmark the secret scanner against its peers: accuracy on a generated corpus, speed, cache, history.

Run with ``python -m benchmarks security``. Four parts, each on data made at run time in a temp dir:

1. **Accuracy** on :mod:`benchmarks.security_corpus` (planted secrets of many providers' public formats,
   decoys a good scanner leaves alone, ordinary code) for cdev-tui, detect-secrets and trufflehog3. A
   planted secret counts as found when the tool reports a line within its range, a decoy as flagged when
   the tool reports a line within its range; every other reported line is noise.
2. **Speed**: whole processes, wall clock, on the ``.py`` files of this interpreter's site-packages (20 to
   22 MB), cdev-tui against each peer. Median of 3, or one run for a tool whose single run takes a minute.
3. **Warm vs cold**: the same tree with the scan cache enabled (a throwaway store), as whole processes and
   in-process through ``scan_roots`` with a ``ScanCache``.
4. **History**: a git repository of 1,000 commits, some planting secrets and some removing them later,
   scanned with ``cdev-tui scan --history``.

The peers are installed once, pinned, into a venv under the user cache dir
(``~/.cache/cdev-tui-bench/peers-venv``) and reused; when pip cannot install them, the figures about them
are replaced by a ``peers skipped: <reason>`` line. The keyword prefilter has a benchmark of its own
(``bench_prefilter``).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import security_corpus as corpus

PEERS = {"detect-secrets": "1.5.0", "trufflehog3": "3.0.10"}
BUDGET_VS_DETECT_SECRETS = 100.0
BUDGET_VS_TRUFFLEHOG3 = 20.0
BUDGET_WARM = 20.0
BUDGET_RECALL_VS_PEER = 1.0
GOAL_RECALL = 0.98
GOAL_DECOY_RATE = 1 / 20
REPEAT = 3
SLOW_RUN = (
    60.0  # seconds: a tool whose first run takes longer is timed once (keeps the bench under 5 minutes)
)
SOURCE_MIN_BYTES = 20_000_000
SOURCE_CAP_BYTES = 22_000_000
HISTORY_COMMITS = 1000
HISTORY_PLANT_EVERY = 16
HISTORY_SEED = 7
BIN = Path(sys.executable).parent


# --- scoring ------------------------------------------------------------------------------------------------


@dataclass
class Score:
    """How one tool's reported lines meet a corpus manifest."""

    manifest: corpus.Manifest
    found: list[bool]  # per planted secret, in manifest order
    flagged: list[bool]  # per decoy
    noise: int  # reported lines within no planted or decoy range
    lines: int  # distinct reported lines

    @property
    def recall(self) -> float:
        return sum(self.found) / len(self.found) if self.found else 0.0

    @property
    def decoys_flagged(self) -> int:
        return sum(self.flagged)

    @property
    def decoy_rate(self) -> float:
        return self.decoys_flagged / len(self.flagged) if self.flagged else 0.0

    def __repr__(self) -> str:
        return (
            f"Score(found {sum(self.found)}/{len(self.found)}, decoys flagged "
            f"{self.decoys_flagged}/{len(self.flagged)}, noise {self.noise})"
        )

    def missed(self) -> list[corpus.Planted]:
        return [p for p, hit in zip(self.manifest.planted, self.found, strict=True) if not hit]

    def missed_kinds(self) -> dict[str, tuple[int, int]]:
        """``kind -> (missed, planted)`` for each kind with a miss, most missed first."""
        planted = Counter(p.kind for p in self.manifest.planted)
        missed = Counter(p.kind for p in self.missed())
        return {
            kind: (n, planted[kind]) for kind, n in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))
        }

    def flagged_decoys(self) -> Counter[str]:
        return Counter(d.kind for d, hit in zip(self.manifest.decoys, self.flagged, strict=True) if hit)

    def by_group(self) -> dict[str, tuple[int, int]]:
        """``group -> (found, planted)``."""
        groups: dict[str, list[int]] = {}
        for planted, hit in zip(self.manifest.planted, self.found, strict=True):
            entry = groups.setdefault(planted.group, [0, 0])
            entry[0] += hit
            entry[1] += 1
        return {group: (found, total) for group, (found, total) in sorted(groups.items())}


def score(manifest: corpus.Manifest, hits: Iterable[tuple[str, int]]) -> Score:
    """Match reported ``(path, line)`` pairs (paths relative to the corpus root) against ``manifest``."""
    planted_at: dict[str, list[int]] = {}
    for index, planted in enumerate(manifest.planted):
        planted_at.setdefault(planted.path, []).append(index)
    decoys_at: dict[str, list[int]] = {}
    for index, decoy in enumerate(manifest.decoys):
        decoys_at.setdefault(decoy.path, []).append(index)
    found = [False] * len(manifest.planted)
    flagged = [False] * len(manifest.decoys)
    lines = {(path.removeprefix("./"), line) for path, line in hits}
    noise = 0
    for path, line in lines:
        matched = False
        for index in planted_at.get(path, ()):
            planted = manifest.planted[index]
            if planted.line <= line <= planted.end:
                found[index] = matched = True
        for index in decoys_at.get(path, ()):
            decoy = manifest.decoys[index]
            if decoy.line <= line <= decoy.end:
                flagged[index] = matched = True
        noise += not matched
    return Score(manifest, found, flagged, noise, len(lines))


def one_in(count: int, total: int) -> str:
    return "none" if count == 0 else f"1 in {total / count:.0f}"


# --- running the tools ----------------------------------------------------------------------------------------


def _run(cmd: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run ``cmd``; its standard output. Exit codes 0 and 1 (findings) are fine, others raise."""
    result = subprocess.run(
        list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    if result.returncode not in (0, 1):
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{Path(cmd[0]).name} exited {result.returncode}: {' | '.join(tail)}")
    return result.stdout


def ours(root: Path, *, cache_home: Path | None = None, history: bool = False) -> dict:
    """``cdev-tui scan ROOT --format json`` (``--no-cache`` unless ``cache_home`` holds the store)."""
    cmd = [str(BIN / "cdev-tui"), "scan", str(root), "--format", "json"]
    if history:
        cmd.append("--history")
    env = None
    if cache_home is None:
        cmd.append("--no-cache")
    else:
        env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return json.loads(_run(cmd, env=env))


def ours_hits(root: Path) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in ours(root)["findings"]]


def detect_secrets_hits(tools: dict[str, Path], root: Path) -> list[tuple[str, int]]:
    """``detect-secrets scan --all-files .`` run inside ``root``: given a path outside its working directory,
    detect-secrets 1.5 reports nothing (its file filter drops every path), so it runs there."""
    out = json.loads(_run([str(tools["detect-secrets"]), "scan", "--all-files", "."], cwd=root))
    return [(path, item["line_number"]) for path, items in out["results"].items() for item in items]


def trufflehog3_hits(tools: dict[str, Path], root: Path) -> list[tuple[str, int]]:
    """``trufflehog3 ROOT --no-history -z -f json``: the work tree only, exit 0 whatever it finds."""
    with tempfile.TemporaryDirectory(prefix="th3-") as tmp:
        report = Path(tmp) / "report.json"
        _run([str(tools["trufflehog3"]), str(root), "--no-history", "-z", "-f", "json", "-o", str(report)])
        items = json.loads(report.read_text() or "[]") if report.exists() else []
    hits = []
    for item in items:
        path = item["path"]
        if os.path.isabs(path):
            path = os.path.relpath(path, root)
        try:
            hits.append((Path(path).as_posix(), int(str(item["line"]).split("-")[0])))
        except ValueError:
            continue
    return hits


def peers_venv() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cdev-tui-bench" / "peers-venv"


def install_peers() -> tuple[dict[str, Path], str | None]:
    """``({tool: executable}, None)`` with the pinned peers installed (once, then reused), or
    ``({}, reason)`` when they cannot be."""
    venv = peers_venv()
    python = venv / "bin" / "python"
    check = f"import importlib.metadata as m; print(' '.join(m.version(n) for n in {list(PEERS)!r}))"
    want = " ".join(PEERS.values())
    try:
        if python.exists():
            probe = subprocess.run([str(python), "-c", check], capture_output=True, text=True, check=False)
            if probe.returncode == 0 and probe.stdout.strip() == want:
                return {name: venv / "bin" / name for name in PEERS}, None
        else:
            made = subprocess.run(
                [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, check=False
            )
            if made.returncode != 0:
                return {}, f"cannot create {venv}: {made.stderr.strip().splitlines()[-1:]}"
        pins = [f"{name}=={version}" for name, version in PEERS.items()]
        result = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--timeout",
                "30",
                *pins,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {}, f"pip install {' '.join(PEERS)}: {exc}"
    if result.returncode != 0:
        errors = [
            line for line in result.stderr.splitlines() if "ERROR" in line
        ] or result.stderr.splitlines()
        return {}, f"pip install {' '.join(PEERS)} failed: {(errors or ['no output'])[-1].strip()}"
    return {name: venv / "bin" / name for name in PEERS}, None


def timed(func: Callable[[], object], repeat: int = REPEAT, slow: float = SLOW_RUN) -> tuple[float, int]:
    """``(median seconds, runs)``: ``repeat`` runs, or one when the first takes longer than ``slow``."""
    runs: list[float] = []
    while len(runs) < repeat:
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
        if runs[0] > slow:
            break
    return statistics.median(runs), len(runs)


def runs_note(runs: int) -> str:
    return f"median of {runs}" if runs > 1 else f"timed once: a single run takes over {SLOW_RUN:.0f} s"


# --- 1. accuracy ----------------------------------------------------------------------------------------------


def accuracy(work: Path, tools: dict[str, Path], skipped: str | None) -> list[str]:
    root = work / "corpus"
    manifest = corpus.generate(root)
    scores: dict[str, Score] = {"cdev-tui": score(manifest, ours_hits(root))}
    errors: list[str] = []
    for name, hits in (("detect-secrets", detect_secrets_hits), ("trufflehog3", trufflehog3_hits)):
        if not tools:
            break
        try:
            scores[name] = score(manifest, hits(tools, root))
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
            errors.append(f"security: {name} failed on the corpus: {exc}")

    mine = scores["cdev-tui"]
    total_planted, total_decoys = len(manifest.planted), len(manifest.decoys)
    out = [
        f"security accuracy: corpus of {len(manifest.files)} files, {total_planted} planted secrets of "
        f"{len(manifest.kinds)} kinds, {total_decoys} decoys (seed {corpus.SEED})",
        f"  {'tool':<16}{'recall':<20}{'decoys flagged':<26}noise (other flagged lines)",
    ]
    for name, s in scores.items():
        recall = f"{sum(s.found)}/{total_planted} {100 * s.recall:.1f}%"
        decoys = f"{s.decoys_flagged}/{total_decoys} ({one_in(s.decoys_flagged, total_decoys)})"
        out.append(f"  {name:<16}{recall:<20}{decoys:<26}{s.noise} of {s.lines} lines")
    if skipped:
        out.append(f"security: peers skipped: {skipped}")
    out.extend(errors)
    verdict = "meets" if mine.recall >= GOAL_RECALL else "below"
    out.append(
        f"security: ours recall {100 * mine.recall:.1f}% (goal >= {100 * GOAL_RECALL:.0f}%: {verdict} it)"
    )
    verdict = "meets" if mine.decoy_rate <= GOAL_DECOY_RATE else "misses"
    out.append(
        f"security: ours decoys flagged {mine.decoys_flagged} of {total_decoys}, "
        f"{one_in(mine.decoys_flagged, total_decoys)} (goal: at most 1 in {1 / GOAL_DECOY_RATE:.0f}: {verdict} it)"
    )
    peers = {name: s for name, s in scores.items() if name != "cdev-tui"}
    if peers:
        best = max(peers, key=lambda name: peers[name].recall)
        ratio = mine.recall / peers[best].recall if peers[best].recall else float("inf")
        out.append(
            f"security: ours vs best peer ({best}, {100 * peers[best].recall:.1f}%) recall "
            f"ratio {ratio:.2f} x (budget >= {BUDGET_RECALL_VS_PEER:g} x)"
        )
    groups = ", ".join(f"{g} {100 * f / t:.0f}% ({f}/{t})" for g, (f, t) in mine.by_group().items())
    out.append(f"security: ours recall by group: {groups}")
    missed = mine.missed_kinds()
    listed = ", ".join(f"{kind} ({n}/{of})" for kind, (n, of) in missed.items()) or "none"
    out.append(
        f"security: ours missed kinds ({len(missed)} of {len(manifest.kinds)}, missed/planted): {listed}"
    )
    flagged = mine.flagged_decoys()
    listed = ", ".join(f"{kind} x{n}" for kind, n in flagged.most_common()) or "none"
    out.append(f"security: ours flagged decoys: {listed}")
    return out


# --- 2. speed and 3. warm vs cold -----------------------------------------------------------------------------


def source_tree(dest: Path) -> tuple[int, int]:
    """Copy site-packages' ``.py`` files, in path order, into ``dest`` until 20 to 22 MB:
    ``(files, bytes)``."""
    src = Path(sysconfig.get_paths()["purelib"])
    files = size = 0
    for path in sorted(src.rglob("*.py")):
        if size >= SOURCE_MIN_BYTES + (SOURCE_CAP_BYTES - SOURCE_MIN_BYTES) // 2:
            break
        if path.is_symlink() or not path.is_file():
            continue
        length = path.stat().st_size
        if size + length > SOURCE_CAP_BYTES:
            continue
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        files += 1
        size += length
    if size < SOURCE_MIN_BYTES:
        raise RuntimeError(f"only {size} bytes of .py files in site-packages, {SOURCE_MIN_BYTES} needed")
    return files, size


def speed(tree: Path, files: int, size: int, tools: dict[str, Path], skipped: str | None) -> list[str]:
    megabytes = size / 1e6
    counts: dict[str, int] = {}

    def run_ours() -> None:
        counts["cdev-tui"] = len(ours(tree)["findings"])

    def peer(name: str, hits: Callable[[dict[str, Path], Path], list[tuple[str, int]]]) -> Callable[[], None]:
        def run() -> None:
            counts[name] = len(hits(tools, tree))

        return run

    mine, mine_runs = timed(run_ours)
    times = {"cdev-tui": (mine, mine_runs)}
    out: list[str] = []
    if tools:
        for name, hits in (("detect-secrets", detect_secrets_hits), ("trufflehog3", trufflehog3_hits)):
            try:
                times[name] = timed(peer(name, hits))
            except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
                out.append(f"security speed: {name} failed: {exc}")
    where = f"on {megabytes:.1f} MB, {files} .py files of site-packages"
    summary = ", ".join(f"{name} {t:.2f} s ({runs_note(runs)})" for name, (t, runs) in times.items())
    out.insert(0, f"security speed (whole processes, wall clock) {where}: {summary}")
    out.append(
        "security speed: findings on that tree: "
        + ", ".join(f"{name} {counts.get(name, '?')}" for name in times)
    )
    if skipped:
        out.append(f"security speed: peers skipped: {skipped}")
    for name, budget in (
        ("detect-secrets", BUDGET_VS_DETECT_SECRETS),
        ("trufflehog3", BUDGET_VS_TRUFFLEHOG3),
    ):
        if name in times:
            peer_time, runs = times[name]
            out.append(
                f"security: speed vs {name} ratio {peer_time / mine:.1f} x {where}, {name} "
                f"{runs_note(runs)} (budget >= {budget:g} x)"
            )
    return out


def warm_vs_cold(tree: Path, work: Path, files: int, size: int) -> list[str]:
    from cdev_tui.security import scan_roots
    from cdev_tui.security.cache import ScanCache
    from cdev_tui.store import Store

    # Whole processes: outside git the CLI keeps its scan cache under $XDG_CACHE_HOME/cdev-tui.
    colds: list[float] = []
    cold_doc: dict = {}
    for attempt in range(REPEAT):
        home = work / f"xdg-cold-{attempt}"
        start = time.perf_counter()
        cold_doc = ours(tree, cache_home=home)
        colds.append(time.perf_counter() - start)
    warm_doc: dict = {}

    def warm_run() -> None:
        warm_doc.update(ours(tree, cache_home=work / f"xdg-cold-{REPEAT - 1}"))

    warm, _ = timed(warm_run)
    cold = statistics.median(colds)

    # In process: scan_roots with a ScanCache on a fresh store, then again on the same store.
    in_colds: list[float] = []
    in_warms: list[float] = []
    from_cache = 0
    for attempt in range(REPEAT):
        store = Store(work / f"inproc-{attempt}" / "scan-cache.db")
        try:
            cache = ScanCache(store)
            start = time.perf_counter()
            scan_roots([("src", tree)], cache=cache)
            store.flush()
            in_colds.append(time.perf_counter() - start)
            start = time.perf_counter()
            report = scan_roots([("src", tree)], cache=cache)
            store.flush()
            in_warms.append(time.perf_counter() - start)
            from_cache = report.files_from_cache
        finally:
            store.close()
    in_cold, in_warm = statistics.median(in_colds), statistics.median(in_warms)
    return [
        f"security: warm rescan ratio {cold / warm:.1f} x whole process, cold {cold:.2f} s "
        f"({cold_doc.get('files_from_cache')} of {cold_doc.get('files_scanned')} files from cache) vs warm "
        f"{warm:.2f} s ({warm_doc.get('files_from_cache')} of {warm_doc.get('files_scanned')} from cache) on "
        f"{size / 1e6:.1f} MB, {files} files, medians of {REPEAT} (budget >= {BUDGET_WARM:g} x)",
        f"security: in-process scan_roots with a ScanCache: cold {1000 * in_cold:.0f} ms, warm "
        f"{1000 * in_warm:.0f} ms ({from_cache} files from cache), {in_cold / in_warm:.1f}x "
        f"(medians of {REPEAT}; informational, no budget)",
    ]


# --- 4. history -----------------------------------------------------------------------------------------------


HISTORY_FILES = {
    "py": [
        "app/settings.py",
        "app/clients.py",
        "app/jobs.py",
        "app/views.py",
        "scripts/sync.py",
        "lib/util.py",
    ],
    "js": ["web/src/config.js", "web/src/api.js", "server/index.js", "server/jobs.js"],
    "go": ["internal/config/config.go", "cmd/api/main.go"],
    "yaml": ["deploy/values.yaml", ".github/workflows/ci.yml", "config/app.yml", "docker-compose.yml"],
    "env": [".env", "deploy/prod.env"],
    "sh": ["scripts/deploy.sh", "scripts/bootstrap.sh"],
    "toml": ["config/settings.toml", "pyproject.toml"],
    "properties": ["conf/application.properties", "conf/jobs.properties"],
}


@dataclass(eq=False)
class _Entry:
    lines: list[str]
    plant: int | None = None  # index into the history's plants
    first: int = 0
    last: int = 0


@dataclass
class HistoryPlant:
    commit: int  # the mark of the commit that added it
    path: str
    line: int
    end: int
    kind: str
    value: str
    removed: bool = False
    sha: str = ""


@dataclass
class _HistoryFile:
    style: str
    entries: list[_Entry] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(line for entry in self.entries for line in entry.lines) + "\n"

    def where(self, entry: _Entry) -> tuple[int, int]:
        line = 1
        for other in self.entries:
            if other is entry:
                return line + entry.first, line + entry.last
            line += len(other.lines)
        raise ValueError("entry not in file")


def _history_kinds(style: str) -> list[corpus.Kind]:
    usable = []
    for kind in corpus.KINDS:
        styles = kind.styles if kind.styles is not None else corpus.ANY
        if style not in styles:
            continue
        if kind.block and style not in ("py", "js", "sh", "yaml"):
            continue
        usable.append(kind)
    return usable


def build_history(repo: Path, commits: int = HISTORY_COMMITS, seed: int = HISTORY_SEED) -> list[HistoryPlant]:
    """A repository of ``commits`` commits made with ``git fast-import``: each changes a few lines in one to
    three files, every ``HISTORY_PLANT_EVERY``-th plants a secret in one of the corpus formats, and about
    two in five of those are removed 5 to 150 commits later. Returns the plants, with their commit ids."""
    rng = random.Random(seed)
    files = {path: _HistoryFile(style) for style, paths in HISTORY_FILES.items() for path in paths}
    for f in files.values():
        f.entries = [_Entry(corpus.filler(f.style, rng)) for _ in range(rng.randint(8, 14))]
    plants: list[HistoryPlant] = []
    removals: dict[int, list[tuple[str, _Entry]]] = {}
    kind_turn = 0
    stream: list[bytes] = []

    def data(payload: str) -> None:
        raw = payload.encode()
        stream.append(b"data %d\n" % len(raw) + raw + b"\n")

    for mark in range(1, commits + 1):
        touched: set[str] = set()
        planted_here: list[tuple[str, _Entry]] = []
        if mark == 1:
            touched = set(files)
        else:
            for path in rng.sample(sorted(files), rng.randint(1, 3)):
                f = files[path]
                touched.add(path)
                for _ in range(rng.randint(1, 3)):
                    plain = [i for i, e in enumerate(f.entries) if e.plant is None]
                    op = rng.random()
                    if op < 0.45 and plain:
                        f.entries[rng.choice(plain)] = _Entry(corpus.filler(f.style, rng))
                    elif op < 0.9 or len(plain) < 10:
                        f.entries.insert(rng.randint(0, len(f.entries)), _Entry(corpus.filler(f.style, rng)))
                    else:
                        del f.entries[rng.choice(plain)]
            if mark % HISTORY_PLANT_EVERY == 5:
                path = rng.choice(sorted(files))
                f = files[path]
                kinds = _history_kinds(f.style)
                kind = kinds[kind_turn % len(kinds)]
                kind_turn += 1
                value = kind.make(rng)
                name = rng.choice(kind.names)
                if kind.block:
                    made = corpus.block_lines(f.style, name, value, rng)
                    assert made is not None
                    entry = _Entry(made[0], len(plants), made[1], made[2])
                else:
                    entry = _Entry(corpus.assign(f.style, name, value, rng), len(plants))
                plants.append(HistoryPlant(mark, path, 0, 0, kind.name, value))
                f.entries.insert(rng.randint(0, len(f.entries)), entry)
                touched.add(path)
                planted_here.append((path, entry))
                if rng.random() < 0.4:
                    removals.setdefault(mark + rng.randint(5, 150), []).append((path, entry))
            for path, entry in removals.pop(mark, []):
                files[path].entries.remove(entry)
                touched.add(path)
                assert entry.plant is not None
                plants[entry.plant].removed = True
        for path, entry in planted_here:
            plant = plants[entry.plant]  # type: ignore[index]
            plant.line, plant.end = files[path].where(entry)
        when = 1_700_000_000 + mark * 3_600
        stream.append(b"commit refs/heads/main\nmark :%d\n" % mark)
        stream.append(b"author Bench <bench@example.com> %d +0000\n" % when)
        stream.append(b"committer Bench <bench@example.com> %d +0000\n" % when)
        data(f"change {mark}: {', '.join(sorted(touched))}")
        for path in sorted(touched):
            stream.append(f"M 100644 inline {path}\n".encode())
            data(files[path].text())
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    marks = repo / ".git" / "bench-marks"
    subprocess.run(
        ["git", "fast-import", "--quiet", f"--export-marks={marks}"],
        cwd=repo,
        input=b"".join(stream),
        check=True,
    )
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True)
    shas = dict(line.split() for line in marks.read_text().splitlines())
    for plant in plants:
        plant.sha = shas[f":{plant.commit}"]
    marks.unlink()
    return plants


def history(work: Path) -> list[str]:
    repo = work / "history-repo"
    start = time.perf_counter()
    plants = build_history(repo)
    built = time.perf_counter() - start
    documents: list[dict] = []

    def run() -> None:
        documents.append(ours(repo, history=True))

    median, runs = timed(run)
    findings = documents[-1]["findings"]
    found = [False] * len(plants)
    other = 0
    for finding in findings:
        matched = False
        for index, plant in enumerate(plants):
            if (
                finding.get("commit") == plant.sha
                and finding["path"] == plant.path
                and plant.line <= finding["line"] <= plant.end
            ):
                found[index] = matched = True
        other += not matched
    removed = sum(p.removed for p in plants)
    found_removed = sum(hit for p, hit in zip(plants, found, strict=True) if p.removed)
    missed = Counter(p.kind for p, hit in zip(plants, found, strict=True) if not hit)
    listed = ", ".join(f"{kind} x{n}" if n > 1 else kind for kind, n in missed.most_common()) or "none"
    return [
        f"security: history {HISTORY_COMMITS} commits median {1000 * median:.0f} ms "
        f"(cdev-tui scan --history --no-cache, whole process, {runs_note(runs)}; "
        f"{documents[-1]['files_scanned']} blobs; repository built in {built:.1f} s)",
        f"security: history recall {sum(found)}/{len(plants)} planted secrets "
        f"({100 * sum(found) / len(plants):.1f}%), {found_removed}/{removed} of those removed in a later "
        f"commit; {other} other findings; missed: {listed}",
    ]


# --- main -----------------------------------------------------------------------------------------------------


def main() -> list[str]:
    started = time.perf_counter()
    tools, skipped = install_peers()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cdev-bench-security-") as tmp:
        work = Path(tmp)
        out += accuracy(work, tools, skipped)
        tree = work / "src"
        files, size = source_tree(tree)
        out += speed(tree, files, size, tools, skipped)
        out += warm_vs_cold(tree, work, files, size)
        out += history(work)
    out.append(f"security: bench took {time.perf_counter() - started:.0f} s")
    return out


if __name__ == "__main__":
    for line in main():
        print(line)
