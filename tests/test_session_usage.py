"""Token usage and cost read from Claude Code's JSONL transcripts, on files in the real format."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.sessions.usage import (
    DEFAULT_PRICES,
    ModelPrice,
    Usage,
    UsageReader,
    claude_project_folder,
    claude_projects_dir,
    parse_prices,
)

OPUS = "claude-opus-4-6"
SONNET = "claude-sonnet-4-5-20250929"


def assistant(
    msg_id: str,
    model: str,
    *,
    inp: int = 0,
    out: int = 0,
    write: int = 0,
    read: int = 0,
    write_1h: int = 0,
    session: str = "11111111-2222-3333-4444-555555555555",
    cwd: str = "/work/wt",
    at: str = "2026-11-30T10:00:00.000Z",
    stop: str | None = "end_turn",
) -> dict[str, Any]:
    """An assistant line as Claude Code writes it (one content block of a response)."""
    return {
        "parentUuid": str(uuid.uuid4()),
        "isSidechain": False,
        "userType": "external",
        "cwd": cwd,
        "sessionId": session,
        "version": "2.1.259",
        "gitBranch": "main",
        "type": "assistant",
        "requestId": f"req_{msg_id}",
        "uuid": str(uuid.uuid4()),
        "timestamp": at,
        "message": {
            "id": f"msg_{msg_id}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": "Reading the parser now."}],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {
                "input_tokens": inp,
                "cache_creation_input_tokens": write,
                "cache_read_input_tokens": read,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": write - write_1h,
                    "ephemeral_1h_input_tokens": write_1h,
                },
                "output_tokens": out,
                "service_tier": "standard",
            },
        },
    }


def user(
    text: str = "please fix the parser", session: str = "11111111-2222-3333-4444-555555555555"
) -> dict[str, Any]:
    return {
        "parentUuid": None,
        "isSidechain": False,
        "cwd": "/work/wt",
        "sessionId": session,
        "type": "user",
        "uuid": str(uuid.uuid4()),
        "timestamp": "2026-11-30T09:59:59.000Z",
        "message": {"role": "user", "content": text},
    }


def write_lines(path: Path, *lines: dict[str, Any] | str, mode: str = "a") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode, encoding="utf-8") as fh:
        for line in lines:
            fh.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CLAUDE_CONFIG_DIR": str(tmp_path / "claude")}


@pytest.fixture
def worktree(tmp_path: Path) -> Path:
    path = tmp_path / "repo.worktrees" / "task_1 wt"
    path.mkdir(parents=True)
    return path


def test_totals_and_cost_for_two_models(env: dict[str, str], worktree: Path) -> None:
    folder = claude_project_folder(worktree, env)
    cwd = str(worktree)
    write_lines(
        folder / "a.jsonl",
        {"type": "summary", "summary": "Fix parser", "leafUuid": "x"},
        user(session="a"),
        assistant("1", OPUS, inp=1000, out=2000, write=10_000, read=100_000, session="a", cwd=cwd),
    )
    write_lines(
        folder / "b.jsonl",
        user(session="b"),
        assistant("2", SONNET, inp=1_000_000, out=100_000, session="b", cwd=cwd, at="2026-11-30T12:30:00Z"),
        {"type": "file-history-snapshot", "messageId": "m", "snapshot": {}},
    )

    usage = UsageReader(env=env).read(worktree)

    # Opus 4.6: 1000*5 + 2000*25 + 10000*6.25 + 100000*0.5 = $0.1675; Sonnet 4.5: 1M*3 + 100k*15 = $4.50.
    assert usage.cost_usd == pytest.approx(4.6675)
    assert (usage.input_tokens, usage.output_tokens) == (1_001_000, 102_000)
    assert (usage.cache_write_tokens, usage.cache_read_tokens) == (10_000, 100_000)
    assert usage.total_tokens == 1_213_000
    assert usage.models == (OPUS, SONNET)
    assert usage.unpriced_models == ()
    assert (usage.sessions, usage.messages) == (2, 2)
    assert usage.first == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert usage.last == datetime(2026, 11, 30, 12, 30, tzinfo=UTC)


def test_streamed_response_is_counted_once_with_its_final_output(env: dict[str, str], worktree: Path) -> None:
    folder = claude_project_folder(worktree, env)
    snapshot = {"inp": 10, "write": 11_862, "read": 15_555}
    write_lines(
        folder / "s.jsonl",
        user(),
        assistant("A", OPUS, out=1, stop=None, **snapshot),  # thinking block, output still streaming
        assistant("A", OPUS, out=3, stop=None, **snapshot),  # text block
        assistant("A", OPUS, out=427, stop="tool_use", **snapshot),  # tool_use block, final usage
    )
    reader = UsageReader(env=env)

    usage = reader.read(worktree)
    assert (usage.messages, usage.input_tokens, usage.output_tokens) == (1, 10, 427)
    assert usage.cost_usd == pytest.approx((10 * 5 + 427 * 25 + 11_862 * 6.25 + 15_555 * 0.5) / 1e6)

    # A resumed session copies the earlier lines into its own file; a subagent file repeats one too.
    write_lines(folder / "resumed.jsonl", assistant("A", OPUS, out=427, session="resumed", **snapshot))
    write_lines(
        folder / "s" / "subagents" / "agent-1.jsonl",
        assistant("A", OPUS, out=427, **snapshot),
        assistant("B", OPUS, inp=5, out=50),
    )

    usage = reader.read(worktree)

    assert (usage.messages, usage.sessions) == (2, 1)
    assert (usage.input_tokens, usage.output_tokens) == (15, 477)
    assert (usage.cache_write_tokens, usage.cache_read_tokens) == (11_862, 15_555)
    expected = (15 * 5 + 477 * 25 + 11_862 * 6.25 + 15_555 * 0.5) / 1e6
    assert usage.cost_usd == pytest.approx(expected)


def test_unknown_model_counts_tokens_but_no_cost(env: dict[str, str], worktree: Path) -> None:
    write_lines(
        claude_project_folder(worktree, env) / "s.jsonl",
        assistant("1", "claude-haiku-4-5-20251001", inp=1_000_000),
        assistant("2", "claude-prototype-9", inp=500, out=500),
        assistant("3", "<synthetic>", out=0),  # Claude Code's own placeholder message: no model, no tokens
    )

    usage = UsageReader(env=env).read(worktree)

    assert usage.cost_usd == pytest.approx(1.0)  # only the Haiku 4.5 tokens are priced
    assert usage.total_tokens == 1_001_000
    assert usage.unpriced_models == ("claude-prototype-9",)
    assert usage.models == ("claude-haiku-4-5-20251001", "claude-prototype-9")
    assert usage.messages == 2


def test_incremental_read_after_appending_and_a_partial_line(env: dict[str, str], worktree: Path) -> None:
    transcript = claude_project_folder(worktree, env) / "s.jsonl"
    write_lines(transcript, user(), assistant("1", OPUS, out=1000))
    reader = UsageReader(env=env)
    assert reader.read(worktree).output_tokens == 1000

    # Earlier bytes are not parsed again: blanking them (same size) changes nothing already counted.
    transcript.write_bytes(b" " * (transcript.stat().st_size - 1) + b"\n")
    line = json.dumps(assistant("3", OPUS, out=300))
    write_lines(transcript, assistant("2", OPUS, out=200), line[:40], mode="a")
    with transcript.open("rb+") as fh:  # the second line is still being written: no newline yet
        fh.seek(-1, 2)
        fh.truncate()
    usage = reader.read(worktree)
    assert (usage.output_tokens, usage.messages) == (1200, 2)

    with transcript.open("a", encoding="utf-8") as fh:
        fh.write(line[40:] + "\n")
    usage = reader.read(worktree)
    assert (usage.output_tokens, usage.messages) == (1500, 3)
    assert usage.cost_usd == pytest.approx(1500 * 25 / 1e6)
    assert reader.read(worktree) == usage  # nothing new: same numbers


def test_damaged_and_unexpected_lines_are_skipped(env: dict[str, str], worktree: Path) -> None:
    no_usage = assistant("x", OPUS)
    del no_usage["message"]["usage"]
    odd_values = assistant("y", OPUS, out=100)
    odd_values["message"]["usage"].update(
        input_tokens="12", cache_read_input_tokens=-5, cache_creation_input_tokens=None
    )
    transcript = claude_project_folder(worktree, env) / "s.jsonl"
    write_lines(
        transcript,
        "{not json",
        '{"type": "assistant", "message": {"usage": {"output_tokens": 7}',  # cut short in the middle
        "[1, 2, 3]",
        '"assistant usage"',
        '{"type": "assistant", "message": "usage"}',
        '{"type": "assistant", "message": {"id": "msg_z", "usage": {"output_tokens": Infinity}}}',
        no_usage,
        odd_values,
        assistant("ok", OPUS, inp=10, out=20),
    )
    with transcript.open("ab") as fh:
        fh.write(b'\xff\xfe{"type": "assistant", "usage"}\n')

    usage = UsageReader(env=env).read(worktree)

    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens) == (10, 120, 0)
    assert usage.messages == 2
    assert usage.models == (OPUS,)
    assert usage.cost_usd == pytest.approx((10 * 5 + 120 * 25) / 1e6)


def test_no_transcripts_is_zero_usage(env: dict[str, str], worktree: Path, tmp_path: Path) -> None:
    assert UsageReader(env=env).read(worktree) == Usage()  # no projects folder at all
    (tmp_path / "claude" / "projects" / "-some-other-project").mkdir(parents=True)
    usage = UsageReader(env=env).read(worktree)
    assert (usage.total_tokens, usage.cost_usd, usage.sessions, usage.first) == (0, 0.0, 0, None)


def test_sessions_started_in_a_subfolder_count_but_sibling_worktrees_do_not(
    env: dict[str, str], worktree: Path
) -> None:
    sub = worktree / "pkg"
    sibling = worktree.parent / f"{worktree.name}-2"  # its folder name starts with this worktree's
    write_lines(
        claude_project_folder(worktree, env) / "a.jsonl", assistant("1", OPUS, out=100, cwd="/elsewhere")
    )
    write_lines(claude_project_folder(sub, env) / "b.jsonl", assistant("2", OPUS, out=20, cwd=str(sub)))
    write_lines(
        claude_project_folder(sibling, env) / "c.jsonl", assistant("3", OPUS, out=7, cwd=str(sibling))
    )

    reader = UsageReader(env=env)

    assert reader.read(worktree).output_tokens == 120
    assert reader.read(sibling).output_tokens == 7


def test_one_hour_cache_writes_bedrock_names_and_custom_prices(env: dict[str, str], worktree: Path) -> None:
    write_lines(
        claude_project_folder(worktree, env) / "s.jsonl",
        assistant("1", SONNET, write=1_000_000, write_1h=400_000),
        assistant("2", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", out=1_000_000),
    )
    # 600k 5-minute writes at $3.75 plus 400k 1-hour writes at 2x input ($6), then 1M output at $15.
    assert UsageReader(env=env).read(worktree).cost_usd == pytest.approx(2.25 + 2.4 + 15)

    custom = {
        **DEFAULT_PRICES,
        **parse_prices(
            {"claude-sonnet-4-5": {"input": 1, "output": 2, "cache_write": 1, "cache_read": 0}}, "t"
        ),
    }
    assert UsageReader(custom, env=env).read(worktree).cost_usd == pytest.approx(0.6 + 0.4 * 1.6 + 2)


def test_usages_add_up_for_a_task() -> None:
    one = Usage(
        100,
        10,
        1000,
        5000,
        0.5,
        (),
        ("claude-opus-4-6",),
        1,
        3,
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 11, 2, tzinfo=UTC),
    )
    two = Usage(
        1,
        2,
        3,
        4,
        0.25,
        ("x-model",),
        ("claude-opus-4-6", "x-model"),
        2,
        5,
        None,
        datetime(2026, 11, 9, tzinfo=UTC),
    )

    total = one + two

    assert (total.input_tokens, total.output_tokens, total.cache_write_tokens, total.cache_read_tokens) == (
        101,
        12,
        1003,
        5004,
    )
    assert total.total_tokens == one.total_tokens + two.total_tokens == 6120
    assert total.cost_usd == pytest.approx(0.75)
    assert total.models == ("claude-opus-4-6", "x-model")
    assert total.unpriced_models == ("x-model",)
    assert (total.sessions, total.messages) == (3, 8)
    assert (total.first, total.last) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC))
    assert sum([one, two]) == total
    assert one + Usage() == one


def test_parse_prices_reads_a_config_table() -> None:
    prices = parse_prices(
        {"claude-opus-4": {"input": 15, "output": 75, "cache_write": 18.75, "cache_read": 1.5}}, "cdev.toml"
    )
    assert prices == {"claude-opus-4": ModelPrice(15.0, 75.0, 18.75, 1.5)}
    assert parse_prices({}, "cdev.toml") == {}


FULL = {"input": 3, "output": 15, "cache_write": 3.75, "cache_read": 0.3}


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"m": {**FULL, "output": -1}}, ["'m'", "output", "-1"]),
        ({"m": {**FULL, "input": "3"}}, ["'m'", "input", "'3'"]),
        ({"m": {**FULL, "cache_read": True}}, ["'m'", "cache_read", "True"]),
        ({"m": {**FULL, "cache_read": float("nan")}}, ["'m'", "cache_read", "nan"]),
        ({"m": {k: v for k, v in FULL.items() if k != "cache_write"}}, ["'m'", "cache_write", "nothing"]),
        ({"m": {**FULL, "cache_write_1h": 6}}, ["'m'", "unknown field 'cache_write_1h'"]),
        ({"m": 3}, ["'m'", "must be a table"]),
        ({"": FULL}, ["model name ''"]),
        (["m"], ["must be a table"]),
    ],
)
def test_parse_prices_rejects_bad_values_in_one_line(data: Any, names: list[str]) -> None:
    with pytest.raises(CdevError) as caught:
        parse_prices(data, "/home/u/.config/cdev/config.toml [prices]")
    message = str(caught.value)
    assert message.startswith("/home/u/.config/cdev/config.toml [prices]: ")
    assert "\n" not in message
    for name in names:
        assert name in message


def test_project_folder_name_encodes_every_non_alphanumeric_character(tmp_path: Path) -> None:
    env = {"CLAUDE_CONFIG_DIR": str(tmp_path / "cfg")}
    folder = claude_project_folder(Path("/home/dev/my.repo_v2/feature wt-3"), env)
    assert folder == tmp_path / "cfg" / "projects" / "-home-dev-my-repo-v2-feature-wt-3"
    assert claude_project_folder(Path("/srv/Проект"), env).name == "-srv-------"

    # Past 200 characters Claude Code keeps the first 200 and adds a base-36 hash of the path.
    deep = "/home/dev/projects/" + "deeply_nested.dir/" * 12 + "worktree"
    name = claude_project_folder(Path(deep), env).name
    assert name == "-home-dev-projects" + "-deeply-nested-dir" * 10 + "-d-99bhrn"
    assert len(name) == 207


def test_projects_dir_defaults_to_home_claude(tmp_path: Path) -> None:
    assert claude_projects_dir({"HOME": str(tmp_path)}) == tmp_path / ".claude" / "projects"
    assert claude_projects_dir({"HOME": str(tmp_path), "CLAUDE_CONFIG_DIR": "/opt/claude"}) == Path(
        "/opt/claude/projects"
    )
    assert claude_projects_dir({"CLAUDE_CONFIG_DIR": ""}) == Path.home() / ".claude" / "projects"
