"""How the work went, from the store's outcomes: merges, predicted conflicts, accepted suggestions, scans.

Textual-free. The service records :class:`~cdev_tui.store.OutcomeRow` rows as things end (the ``*_rows``
functions below turn an integration result or a conflict report into them); :func:`summarize_outcomes`
reads them back over a window and works out the figures the Metrics pane and ``cdev-tui metrics`` show.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cdev_tui.metrics import VoiceSummary, summarize_voice
from cdev_tui.store import OutcomeRow, Store, TimingRow

if TYPE_CHECKING:
    from cdev_tui.conflicts.report import ConflictReport
    from cdev_tui.integrate.results import IntegrationResult, Problem

WINDOW_DAYS = 30.0
"""How far back the outcome figures look by default."""
PREDICTION_LOOKBACK_DAYS = 7.0
"""How old the prediction before an integration run may be and still be judged by that run."""
SCAN_OPS = ("security.scan", "security.history")
"""Timed operations whose detail says how many files and bytes were scanned."""
ATTEMPTED = ("merged", "resolved", "conflict", "tests-failed", "failed")
"""Step outcomes that count as an attempt to merge an agent (``cancelled`` and ``refused`` do not)."""
MERGED = ("merged", "resolved", "tests-failed")
"""Step outcomes that left the agent's branch merged into the integration branch."""
CONFLICTED = ("conflict", "resolved")
"""Step outcomes that met a merge conflict."""
TARGET_PAIR, AGENT_PAIR, PREDICTION = "target", "pair", "prediction"
"""``outcome`` of the ``predict`` rows: a conflict against the target, between two agents, the prediction."""


@dataclass(frozen=True)
class MergeOutcomes:
    """Integration steps by outcome, one per agent per run."""

    runs: int
    """Integration runs in the window."""
    attempts: int
    """Steps that tried to merge an agent (every outcome below but ``refused``)."""
    merged_clean: int
    """Merged without a conflict, tests passing or none run."""
    resolved: int
    """Merged after its conflicts were resolved (merge editor or safe suggestions), tests passing or none."""
    conflicts: int
    """Stopped on a conflict left unresolved."""
    tests_failed: int
    """Merged, but the test command failed afterwards."""
    failed: int
    """git could not merge for another reason."""
    refused: int = 0
    """Agents the security gate refused before a run (not attempts)."""

    @property
    def success_rate(self) -> float | None:
        """Merged clean / attempts (None without attempts)."""
        return self.merged_clean / self.attempts if self.attempts else None

    @property
    def success_rate_with_resolved(self) -> float | None:
        """(Merged clean + merged with conflicts resolved) / attempts (None without attempts)."""
        return (self.merged_clean + self.resolved) / self.attempts if self.attempts else None


@dataclass(frozen=True)
class PredictionOutcomes:
    """Conflicts predicted before an integration run against the conflicts the run met.

    A predicted pair is judged at the step where its later side merges onto the other (a pair against the
    target at the agent's own step); it is *met* when that step conflicted in one of the pair's predicted
    files. A run is judged by the last prediction before it (at most :data:`PREDICTION_LOOKBACK_DAYS` old).
    """

    runs_judged: int
    """Runs that had a prediction before them."""
    predicted_met: int
    """Predicted pairs whose conflict the run met."""
    predicted_not_met: int
    """Predicted pairs whose step merged without a conflict."""
    conflicts_met: int
    """Steps of judged runs that met a conflict."""
    met_not_predicted: int
    """Of those, steps no predicted pair accounts for."""

    @property
    def precision(self) -> float | None:
        """Share of judged predicted pairs that were met (None when none was judged)."""
        judged = self.predicted_met + self.predicted_not_met
        return self.predicted_met / judged if judged else None

    @property
    def recall(self) -> float | None:
        """Share of conflicts met that were predicted (None when no conflict was met)."""
        if not self.conflicts_met:
            return None
        return (self.conflicts_met - self.met_not_predicted) / self.conflicts_met


@dataclass(frozen=True)
class ScanThroughput:
    """How fast secret scans went (median over the scans in the window, cache hits included)."""

    scans: int
    median_files_per_second: float
    median_mb_per_second: float | None
    """Megabytes (10^6 bytes) per second; None when no scan recorded its bytes."""


@dataclass(frozen=True)
class OutcomeSummary:
    """Outcomes of merges, predictions, suggestions and scans since ``since``; the voice figures with them."""

    since: float
    """Start of the window (seconds since the epoch)."""
    merges: MergeOutcomes
    predictions: PredictionOutcomes
    suggestions: dict[str, int] = field(default_factory=dict)
    """Resolved hunks by where the written resolution came from: a suggestion's source (``trivial``,
    ``structural``, ``learned``, ``llm``), ``hand-edited``, or a pick (``ours``, ``theirs``, ``both``,
    ``base``; for a file that is not resolved hunk by hunk also ``keep``, ``delete``). Most used first."""
    scans: ScanThroughput | None = None
    voice: VoiceSummary | None = None
    """Voice accuracy and latency (as :attr:`cdev_tui.metrics.MetricsSummary.voice`), over the window."""

    @property
    def suggestion_shares(self) -> dict[str, float]:
        """Each source's share of the resolved hunks."""
        total = sum(self.suggestions.values())
        return {source: count / total for source, count in self.suggestions.items()} if total else {}


# -- recording -----------------------------------------------------------------------------------------


def step_outcome(step: Any, cancelled: bool = False) -> str:
    """``merged``, ``resolved``, ``tests-failed``, ``conflict``, ``failed`` or ``cancelled`` for a
    :class:`~cdev_tui.integrate.results.StepResult` (``cancelled``: the run was cancelled at this step)."""
    if step.merged:
        if step.test_passed is False:
            return "tests-failed"
        return "resolved" if step.resolved_files else "merged"
    if step.conflicted_files:
        return "conflict"
    return "cancelled" if cancelled else "failed"


def integration_rows(result: IntegrationResult, started_at: float) -> list[OutcomeRow]:
    """One ``integrate`` row per step of ``result``, stamped with the run's start."""
    last = len(result.steps) - 1
    return [
        OutcomeRow(
            started_at,
            "integrate",
            result.branch,
            step.agent,
            str(step.index),
            step_outcome(step, result.cancelled and n == last),
            step.conflicted_files or step.resolved_files,
        )
        for n, step in enumerate(result.steps)
    ]


def refusal_rows(problems: Iterable[Problem], ts: float) -> list[OutcomeRow]:
    """``refused`` rows for the agents the security gate kept out of an integration."""
    agents = sorted({p.agent for p in problems if p.kind == "security" and p.agent})
    return [OutcomeRow(ts, "integrate", "", agent, "", "refused") for agent in agents]


def prediction_rows(report: ConflictReport, ts: float) -> list[OutcomeRow]:
    """A ``prediction`` row naming every agent predicted, then one row per pair predicted to conflict."""
    run = f"predict-{ts:.6f}"
    agents = {p.a for p in report.vs_target} | {side for p in report.pairs for side in (p.a, p.b)}
    rows = [OutcomeRow(ts, "predict", run, "", "", PREDICTION, tuple(sorted(agents)))]
    rows += [
        OutcomeRow(ts, "predict", run, p.a, p.b, AGENT_PAIR, p.conflicted_files)
        for p in report.pairs
        if p.conflicts
    ]
    rows += [
        OutcomeRow(ts, "predict", run, p.a, p.b, TARGET_PAIR, p.conflicted_files)
        for p in report.vs_target
        if p.conflicts
    ]
    return rows


def same_prediction(a: Sequence[OutcomeRow], b: Sequence[OutcomeRow]) -> bool:
    """Whether two predictions found the same conflicts among the same agents (times aside)."""

    def key(rows: Sequence[OutcomeRow]) -> list[tuple[str, str, str, tuple[str, ...]]]:
        return [(r.subject, r.other, r.outcome, r.files) for r in rows]

    return key(a) == key(b)


# -- summarising ---------------------------------------------------------------------------------------


def summarize_outcomes(
    store: Store, *, now: float | None = None, window_days: float = WINDOW_DAYS
) -> OutcomeSummary:
    """The outcome figures over the last ``window_days``."""
    since = (time.time() if now is None else now) - window_days * 86400
    steps = store.outcomes("integrate", since)
    predictions = store.outcomes("predict", since - PREDICTION_LOOKBACK_DAYS * 86400)
    scans = [t for op in SCAN_OPS for t in store.timings(op) if t.ts >= since]
    return OutcomeSummary(
        since=since,
        merges=merge_outcomes(steps),
        predictions=judge_predictions(steps, predictions),
        suggestions=accepted_sources(store.outcomes("resolve", since)),
        scans=scan_throughput(scans),
        voice=summarize_voice([r for r in store.voice_log() if r.ts >= since]),
    )


def merge_outcomes(rows: Sequence[OutcomeRow]) -> MergeOutcomes:
    """Count integration steps by outcome."""
    counts = Counter(r.outcome for r in rows)
    return MergeOutcomes(
        runs=len({r.run for r in rows if r.outcome != "refused"}),
        attempts=sum(counts[o] for o in ATTEMPTED),
        merged_clean=counts["merged"],
        resolved=counts["resolved"],
        conflicts=counts["conflict"],
        tests_failed=counts["tests-failed"],
        failed=counts["failed"],
        refused=counts["refused"],
    )


@dataclass(frozen=True)
class _Prediction:
    ts: float
    agents: frozenset[str]
    pairs: tuple[OutcomeRow, ...]


def _predictions(rows: Sequence[OutcomeRow]) -> list[_Prediction]:
    by_run: dict[str, list[OutcomeRow]] = {}
    for row in rows:
        by_run.setdefault(row.run, []).append(row)
    found = []
    for group in by_run.values():
        head = next((r for r in group if r.outcome == PREDICTION), None)
        if head is not None:
            pairs = tuple(r for r in group if r.outcome != PREDICTION)
            found.append(_Prediction(head.ts, frozenset(head.files), pairs))
    return sorted(found, key=lambda p: p.ts)


def judge_predictions(steps: Sequence[OutcomeRow], predictions: Sequence[OutcomeRow]) -> PredictionOutcomes:
    """Match each run's steps against the last prediction before it (see :class:`PredictionOutcomes`)."""
    known = _predictions(predictions)
    runs: dict[str, list[OutcomeRow]] = {}
    for row in steps:
        if row.outcome != "refused":
            runs.setdefault(row.run, []).append(row)
    judged = met = not_met = conflicts = unpredicted = 0
    for run_steps in runs.values():
        started = min(r.ts for r in run_steps)
        before = [p for p in known if p.ts <= started and started - p.ts <= PREDICTION_LOOKBACK_DAYS * 86400]
        if not before:
            continue
        prediction = before[-1]
        judged += 1
        merged_before: set[str] = set()
        for step in sorted(run_steps, key=lambda r: int(r.other or 0)):
            if step.outcome in ATTEMPTED and step.subject in prediction.agents:
                conflicted = step.outcome in CONFLICTED
                files = set(step.files)
                accounted = False
                for pair in _pairs_at(prediction.pairs, step.subject, merged_before):
                    hit = conflicted and (not pair.files or not files or bool(files & set(pair.files)))
                    met += hit
                    not_met += not hit
                    accounted = accounted or hit
                if conflicted:
                    conflicts += 1
                    unpredicted += not accounted
            if step.outcome in MERGED:
                merged_before.add(step.subject)
    return PredictionOutcomes(judged, met, not_met, conflicts, unpredicted)


def _pairs_at(pairs: Sequence[OutcomeRow], agent: str, merged_before: set[str]) -> list[OutcomeRow]:
    """The predicted pairs the step merging ``agent`` judges: against the target, or against an agent
    already merged in this run."""
    found = []
    for pair in pairs:
        if pair.outcome == TARGET_PAIR:
            if pair.subject == agent:
                found.append(pair)
        elif agent in (pair.subject, pair.other):
            other = pair.other if pair.subject == agent else pair.subject
            if other in merged_before:
                found.append(pair)
    return found


def accepted_sources(rows: Sequence[OutcomeRow]) -> dict[str, int]:
    """Resolved hunks per source, most used first (ties by name)."""
    counts = Counter(r.outcome for r in rows)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


_AMOUNT = re.compile(r"(\d+(?:\.\d+)?) (files|bytes)\b")


def detail_amounts(detail: str) -> dict[str, float]:
    """The ``N files`` and ``N bytes`` a timing's detail states (``"120 files, 40960 bytes, 3 cached"``)."""
    found: dict[str, float] = {}
    for number, unit in _AMOUNT.findall(detail):
        found.setdefault(unit, float(number))
    return found


def scan_throughput(rows: Sequence[TimingRow]) -> ScanThroughput | None:
    """Median files and megabytes per second over the timed scans that scanned something."""
    files_rate: list[float] = []
    mb_rate: list[float] = []
    for row in rows:
        amounts = detail_amounts(row.detail)
        if row.seconds <= 0 or not amounts.get("files"):
            continue
        files_rate.append(amounts["files"] / row.seconds)
        if "bytes" in amounts:
            mb_rate.append(amounts["bytes"] / 1e6 / row.seconds)
    if not files_rate:
        return None
    return ScanThroughput(
        scans=len(files_rate),
        median_files_per_second=statistics.median(files_rate),
        median_mb_per_second=statistics.median(mb_rate) if mb_rate else None,
    )


# -- showing -------------------------------------------------------------------------------------------


def outcomes_json(summary: OutcomeSummary) -> dict[str, Any]:
    """The figures as ``cdev-tui metrics --format json`` prints them under ``"outcomes"``."""
    from dataclasses import asdict

    merges, predictions = summary.merges, summary.predictions
    voice = summary.voice
    return {
        "since": summary.since,
        "merges": {
            **asdict(merges),
            "success_rate": merges.success_rate,
            "success_rate_with_resolved": merges.success_rate_with_resolved,
        },
        "predictions": {
            **asdict(predictions),
            "precision": predictions.precision,
            "recall": predictions.recall,
        },
        "suggestions": {
            source: {"accepted": count, "share": summary.suggestion_shares[source]}
            for source, count in summary.suggestions.items()
        },
        "scans": None if summary.scans is None else asdict(summary.scans),
        "voice": None if voice is None else {**asdict(voice), "understood": voice.understood},
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def outcome_lines(summary: OutcomeSummary) -> list[str]:
    """The figures as lines of the ``cdev-tui metrics`` table."""
    merges, predictions = summary.merges, summary.predictions
    lines = []
    if merges.attempts or merges.refused:
        lines.append(
            f"merges: {merges.attempts} attempts in {merges.runs} runs, {_percent(merges.success_rate)} clean, "
            f"{_percent(merges.success_rate_with_resolved)} with conflicts resolved "
            f"({merges.merged_clean} merged, {merges.resolved} resolved, {merges.conflicts} conflicts, "
            f"{merges.tests_failed} tests failed, {merges.failed} failed, {merges.refused} refused by the gate)"
        )
    else:
        lines.append("merges: no integration recorded yet")
    if predictions.runs_judged:
        lines.append(
            f"conflict prediction: {predictions.predicted_met} predicted and met, "
            f"{predictions.predicted_not_met} predicted not met, {predictions.met_not_predicted} met not "
            f"predicted (precision {_percent(predictions.precision)}, recall {_percent(predictions.recall)}, "
            f"{predictions.runs_judged} runs judged)"
        )
    else:
        lines.append("conflict prediction: not judged yet (no integration run after a prediction)")
    if summary.suggestions:
        shares = summary.suggestion_shares
        parts = [f"{source} {count} ({shares[source]:.0%})" for source, count in summary.suggestions.items()]
        lines.append(f"resolutions accepted: {', '.join(parts)}")
    if summary.scans is not None:
        scans = summary.scans
        mb = "" if scans.median_mb_per_second is None else f", {scans.median_mb_per_second:.1f} MB/s"
        lines.append(
            f"scan throughput: {scans.median_files_per_second:.0f} files/s{mb} (median of {scans.scans})"
        )
    if summary.voice is not None:
        voice = summary.voice
        lines.append(
            f"voice: {voice.understood:.0%} of {voice.utterances} understood, median latency "
            f"{voice.median_latency_ms:.0f} ms (p90 {voice.p90_latency_ms:.0f} ms)"
        )
    return lines
