"""Alert rules (fixed and learned) and their webhooks, against a local HTTP server in each platform's format."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cdev_tui.alerts import (
    Alert,
    AlertSettings,
    Webhook,
    evaluate,
    parse_alerts,
    robust_score,
    slow_operations,
)
from cdev_tui.cli import main
from cdev_tui.demo import DemoWorkspace, build_demo, fake_github_token
from cdev_tui.errors import CdevError
from cdev_tui.service import open_service
from cdev_tui.sessions.state import SessionInfo, SessionState
from cdev_tui.store import TimingRow
from cdev_tui.webhooks import deliver, payload


class Receiver:
    """A local HTTP server that keeps what each path received; ``fail`` makes a path answer 500 N times."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[dict]] = {}
        self.fail: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.fail.get(self.path, 0) > 0:
                    receiver.fail[self.path] -= 1
                    self.send_response(500)
                else:
                    receiver.bodies.setdefault(self.path, []).append(body)
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo")


def timings(values: list[float]) -> list[TimingRow]:
    return [TimingRow("refresh", seconds, "", ts=1000.0 + index) for index, seconds in enumerate(values)]


def test_a_planted_slowdown_fires_and_normal_noise_stays_quiet() -> None:
    noise = random.Random(7)
    usual = [0.1 * noise.lognormvariate(0, 0.15) for _ in range(200)]
    settings = AlertSettings()
    quiet = [
        slow_operations(timings(usual[: n + 30]), settings) for n in range(170)
    ]  # every run of the noise
    assert not any(quiet)
    fired = slow_operations(timings([*usual[:40], 1.2]), settings)
    assert [(a.rule, a.subject) for a in fired] == [("slow-operation", "refresh")]
    assert fired[0].message.startswith("refresh took 1200 ms, usually 9")  # the noise is around 100 ms
    assert slow_operations(timings([0.1] * 5 + [5.0]), settings) == []  # too little history to judge
    assert robust_score(0.1, [0.1] * 10) == 0


def test_fixed_rules_fire_and_clear(demo: DemoWorkspace, tmp_path: Path) -> None:
    service = open_service(demo.repo, db=tmp_path / "c.db")
    try:
        snapshot = service.load()
        now = time.time()
        waiting = SessionInfo(
            "auth_agent", "cdev-auth_agent", "claude", SessionState.WAITING, since=now - 15 * 60
        )
        alerts = evaluate(snapshot, None, {"auth_agent": waiting}, AlertSettings(), now)
        fired = {(a.rule, a.subject) for a in alerts}
        assert ("stalled", "api_agent") in fired  # the demo's api_agent has had no activity for long
        assert ("over-estimate", "api_agent") in fired and ("over-estimate", "auth_agent") in fired
        assert ("waiting-for-human", "auth_agent") in fired
        waiting_alert = next(a for a in alerts if a.rule == "waiting-for-human")
        assert waiting_alert.message == "auth_agent: its program (claude) has waited for you 15 min"
        calmer = AlertSettings(over_estimate_percent=1000, waiting_minutes=30, stalled=False)
        assert evaluate(snapshot, None, {"auth_agent": waiting}, calmer, now) == []
        (demo.worktree("api_agent") / "notes.txt").write_text("back at it\n")  # activity: no longer stalled
        snapshot = service.load()
        assert ("stalled", "api_agent") not in {
            (a.rule, a.subject) for a in evaluate(snapshot, None, {}, AlertSettings(), now)
        }
    finally:
        service.close()


def test_each_platform_gets_its_format_retries_back_off_and_secrets_never_leave(receiver: Receiver) -> None:
    token = fake_github_token()
    alerts = [Alert("stalled", "api_agent", f"api_agent: stuck after printing {token}", 1000.0)]
    hooks = [Webhook(kind, receiver.url(f"/{kind}")) for kind in ("slack", "discord", "teams", "json")]
    receiver.fail["/slack"] = 2  # answers 500 twice, then takes it
    pauses: list[float] = []
    results = deliver(
        [*hooks, Webhook("json", "http://127.0.0.1:9/closed")], alerts, sleep=pauses.append, timeout=2
    )
    assert [(r.webhook.kind, r.ok, r.attempts) for r in results] == [
        ("slack", True, 3),
        ("discord", True, 1),
        ("teams", True, 1),
        ("json", True, 1),
        ("json", False, 3),
    ]
    assert pauses == [
        0.5,
        1.0,
        0.5,
        1.0,
    ]  # backoff: doubling pauses, for the slack retries and the closed port
    assert "unreachable" in results[-1].error
    slack, discord = receiver.bodies["/slack"][0], receiver.bodies["/discord"][0]
    teams, generic = receiver.bodies["/teams"][0], receiver.bodies["/json"][0]
    assert slack["text"].startswith("*cdev-tui*: 1 alert(s)") and "stalled: api_agent: stuck" in slack["text"]
    assert discord["content"].startswith("**cdev-tui**: 1 alert(s)")
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["body"][1]["text"].startswith(
        "stalled:"
    )
    assert generic["alerts"][0]["rule"] == "stalled" and generic["alerts"][0]["agent"] == "api_agent"
    everything = json.dumps(receiver.bodies)
    assert token not in everything and token[:4] in everything  # masked, never sent whole
    assert payload("json", [])["alerts"] == []


def test_alerts_cli_notifies_once_and_keeps_what_could_not_be_posted(
    demo: DemoWorkspace, tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo.repo / ".cdev" / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[alerts]\nwaiting_minutes = 5\nwebhooks = [{{kind = "json", url = "{receiver.url("/hook")}"}}]\n'
    )
    base = ["--repo", str(demo.repo), "--db", str(tmp_path / "c.db")]
    receiver.fail["/hook"] = 3  # down for every attempt of the first run
    assert main(["alerts", "--notify", "--format", "json", *base]) == 1
    out, err = capsys.readouterr()
    assert "json webhook at 127.0.0.1" in err and "HTTP 500 after 3 attempts" in err and "/hook" not in err
    assert {a["rule"] for a in json.loads(out)["alerts"]} >= {"stalled", "over-estimate"}
    assert "/hook" not in receiver.bodies  # nothing posted yet, nothing lost: the next run posts them
    assert main(["alerts", "--notify", *base]) == 1
    assert len(receiver.bodies["/hook"]) == 1
    posted = {(a["rule"], a["agent"]) for a in receiver.bodies["/hook"][0]["alerts"]}
    assert ("stalled", "api_agent") in posted
    assert main(["alerts", "--notify", *base]) == 1  # still firing, but told already
    assert len(receiver.bodies["/hook"]) == 1


def test_a_malformed_alerts_table_is_one_line_naming_the_key() -> None:
    cases = [
        ({"waiting_minutes": "ten"}, "alerts.waiting_minutes must be an integer of at least 0"),
        ({"slow_window": 3}, "alerts.slow_window must be an integer of at least 8"),
        (
            {"webhooks": [{"kind": "pager", "url": "https://example.com"}]},
            "alerts.webhooks[0].kind must be one of",
        ),
        (
            {"webhooks": [{"kind": "slack", "url": "ftp://x"}]},
            "alerts.webhooks[0].url must be an http(s) URL",
        ),
        ({"loud": True}, "unknown key alerts.loud"),
    ]
    for table, message in cases:
        with pytest.raises(CdevError) as raised:
            parse_alerts(table, "config.toml")
        assert str(raised.value).startswith("config.toml: ") and message in str(raised.value)
    assert parse_alerts({"slow_score": 4}, "x").slow_score == 4.0
