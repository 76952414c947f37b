"""The secret-scanner evaluation corpus (``benchmarks/security_corpus.py``): deterministic, of its declared
shape, truthful about where it planted what, and scanned to the project's goals by our own scanner."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import security_corpus as corpus
from benchmarks.bench_security import GOAL_DECOY_RATE, GOAL_RECALL, Score, score
from cdev_tui.security import scan_roots


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> corpus.Manifest:
    return corpus.generate(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def scored(generated: corpus.Manifest) -> Score:
    report = scan_roots([("corpus", generated.root)])
    return score(generated, [(f.path, f.line) for f in report.findings])


def _on_disk(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_writes_the_same_corpus(generated: corpus.Manifest, tmp_path: Path) -> None:
    again = corpus.generate(tmp_path / "again")
    assert again.files == generated.files
    assert again.planted == generated.planted
    assert again.decoys == generated.decoys
    first, second = _on_disk(generated.root), _on_disk(again.root)
    assert sorted(first) == sorted(generated.files)  # the manifest lists every file written, nothing else
    assert first == second


def test_another_seed_writes_other_values(generated: corpus.Manifest, tmp_path: Path) -> None:
    other = corpus.generate(tmp_path / "other", seed=corpus.SEED + 1)
    assert {p.value for p in other.planted}.isdisjoint(p.value for p in generated.planted)


def test_corpus_has_its_declared_shape(generated: corpus.Manifest) -> None:
    assert len(generated.files) >= 150
    assert len(generated.planted) >= 200
    assert len(generated.kinds) >= 80
    assert len(generated.decoys) >= 400
    assert len({p.group for p in generated.planted}) >= 8
    assert len({Path(f).suffix or Path(f).name for f in generated.files}) >= 25  # many formats


def test_every_planted_range_holds_its_value(generated: corpus.Manifest) -> None:
    texts = {
        path: (generated.root / path).read_text(encoding="utf-8").split("\n") for path in generated.files
    }
    wrong = []
    for planted in generated.planted:
        lines = texts[planted.path]
        assert 1 <= planted.line <= planted.end <= len(lines), planted.masked
        segment = lines[planted.line - 1 : planted.end]
        rows = planted.value.split("\n")
        if len(rows) > 1:  # a block (PEM and the like): one row of the value on each line, maybe indented
            ok = len(rows) == len(segment) and all(
                row in line for row, line in zip(rows, segment, strict=True)
            )
        else:
            ok = planted.value in "\n".join(segment)
        if not ok:
            wrong.append(f"{planted.path}:{planted.line}-{planted.end} {planted.kind} {planted.masked}")
    assert not wrong, f"{len(wrong)} planted records do not hold their value: {wrong[:10]}"


def test_decoy_ranges_lie_within_their_files(generated: corpus.Manifest) -> None:
    lengths = {
        path: len((generated.root / path).read_text(encoding="utf-8").split("\n")) for path in generated.files
    }
    planted = {(p.path, line) for p in generated.planted for line in range(p.line, p.end + 1)}
    for decoy in generated.decoys:
        assert 1 <= decoy.line <= decoy.end <= lengths[decoy.path], decoy
        assert not any((decoy.path, line) in planted for line in range(decoy.line, decoy.end + 1)), decoy


def test_our_scanner_finds_the_planted_secrets(scored: Score) -> None:
    missed = ", ".join(f"{kind} ({n}/{of})" for kind, (n, of) in scored.missed_kinds().items())
    assert scored.recall >= GOAL_RECALL, (
        f"recall goal {GOAL_RECALL:.0%} not met: found {sum(scored.found)} of {len(scored.found)} planted "
        f"secrets ({scored.recall:.1%}); missed kinds (missed/planted): {missed}"
    )


def test_our_scanner_leaves_the_decoys_alone(scored: Score) -> None:
    flagged = ", ".join(f"{kind} x{n}" for kind, n in scored.flagged_decoys().most_common())
    assert scored.decoy_rate <= GOAL_DECOY_RATE, (
        f"decoy goal (at most 1 in {1 / GOAL_DECOY_RATE:.0f}) not met: flagged {scored.decoys_flagged} of "
        f"{len(scored.flagged)} decoys; by kind: {flagged}"
    )
