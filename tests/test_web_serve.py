"""``cdev-tui serve``: the real server as a subprocess, driven from headless Chromium through Playwright."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cdev_tui.demo import build_demo
from cdev_tui.errors import CdevError
from cdev_tui.web_serve import TOKEN_COOKIE, TOKEN_ENV, Gate, Verdict, check_port, is_loopback, open_url

# xterm.js draws on a canvas, so its text is read from the terminal's own buffer. textual-serve keeps the
# terminal in a closure; this setter, installed before its script runs, catches it when it is assigned.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.buffer.active) window.cdevTerminal = value;
  },
});
"""
READ_SCREEN = """() => {
  const term = window.cdevTerminal;
  if (!term) return "";
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""
DEMO_AGENTS = ("db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent")


class Served:
    """``cdev-tui serve`` running in its own process group, its output in files."""

    def __init__(self, tmp_path: Path, repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.out, self.err = tmp_path / "serve.out", tmp_path / "serve.err"
        command = [sys.executable, "-m", "cdev_tui", "--repo", str(repo), "--db", str(tmp_path / "c.db")]
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [*command, "serve", *args],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env if env is not None else server_env(),
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 30.0) -> str:
        """The line the server prints once it listens."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "serving" in (text := self.out.read_text()):
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"the server never listened; stderr:\n{self.err.read_text()}")

    def interrupt(self, timeout: float = 15.0) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group; the exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout)

    def stop(self) -> bool:
        """End the server (SIGTERM to it alone, as a service manager would); whether every app process it
        started ended with it. Anything left is killed either way."""
        try:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            pass
        ended = wait_until(lambda: not _group_alive(self.process.pid), timeout=10)
        if not ended:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        return ended


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def run_serve(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdev_tui", "--repo", str(repo), "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env if env is not None else server_env(),
    )


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace for the tests that do not change it."""
    return build_demo(tmp_path_factory.mktemp("demo")).repo


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, started once for the module (Playwright cannot download its own here)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (`make test` installs it with apt)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    page.add_init_script(CATCH_TERMINAL)
    yield page
    context.close()


def screen(page) -> str:
    return page.evaluate(READ_SCREEN)


def wait_for_screen(page, check: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen(page)
        if check(text):
            return text
        page.wait_for_timeout(100)
    raise AssertionError(f"the browser never showed {what}; its screen:\n{text}")


def agent_row(text: str, agent_id: str) -> str:
    return next((line for line in text.splitlines() if line.strip().startswith(agent_id)), "")


def test_the_app_in_the_browser_switches_panes_and_updates_live(tmp_path: Path, page) -> None:
    repo = build_demo(tmp_path / "demo").repo
    port = free_port()
    served = Served(tmp_path, repo, "--port", str(port))
    try:
        assert f"http://127.0.0.1:{port}/" in served.wait_ready()
        page.goto(f"http://127.0.0.1:{port}/")
        text = wait_for_screen(page, lambda s: all(a in s for a in DEMO_AGENTS), "the five demo agents")
        assert "1 Agents" in text and "2 Conflicts" in text
        assert "3/4" in agent_row(text, "api_agent") and "in progress" in agent_row(text, "api_agent")
        assert "blocked on auth_agent" in agent_row(text, "cart_agent")

        page.focus(".xterm-helper-textarea")
        page.keyboard.press("2")
        text = wait_for_screen(page, lambda s: "api_agent × auth_agent: conflict" in s, "the Conflicts pane")
        assert "src/shopfront/api/routes.py" in text and "Merge order" in text
        page.keyboard.press("1")
        wait_for_screen(page, lambda s: "Merge order" not in s and "db_agent" in s, "the Agents pane again")

        worktree = next((repo.parent / f"{repo.name}-work-trees").glob("*-api_agent"))
        checklist = worktree / "workspaces" / "api_agent" / "validation_checklist.txt"
        checklist.write_text(checklist.read_text().replace("[ ]", "[x]"))
        text = wait_for_screen(
            page, lambda s: "4/4" in agent_row(s, "api_agent"), "api_agent's row at 4/4 after the tick"
        )
        assert "committed" in agent_row(text, "api_agent")
    finally:
        ended = served.stop()
    assert ended, "the app process of the open browser tab outlived the server"


def test_with_a_token_the_browser_gets_in_and_ctrl_c_ends_everything(
    tmp_path: Path, demo: Path, page
) -> None:
    token = secrets.token_urlsafe(24)
    port = free_port()
    served = Served(
        tmp_path, demo, "--host", "0.0.0.0", "--port", str(port), env=server_env(**{TOKEN_ENV: token})
    )
    try:
        served.wait_ready()
        warning = served.err.read_text()
        assert "warning" in warning and "controls your agents" in warning and token not in warning
        assert token not in served.out.read_text()

        page.goto(f"http://127.0.0.1:{port}/")
        assert "403" in page.content()
        page.goto(f"http://127.0.0.1:{port}/?token={token}")
        assert token not in page.url  # the cookie carries it from the first page on
        wait_for_screen(page, lambda s: "db_agent" in s and "cart_agent" in s, "the agents behind the token")

        assert served.interrupt() == 0
        assert "Traceback" not in served.err.read_text() + served.out.read_text()
        assert wait_until(lambda: not _group_alive(served.process.pid), timeout=10), "app outlived Ctrl-C"
        page.wait_for_selector("body.-closed", timeout=10_000)  # the page says the session ended
    finally:
        served.stop()


def test_a_token_guards_every_request(tmp_path: Path, demo: Path) -> None:
    token = secrets.token_urlsafe(24)
    port = free_port()
    served = Served(tmp_path, demo, "--port", str(port), f"--token={token}")  # = : a token may begin with "-"
    try:
        served.wait_ready()
        for path in ("/", "/static/js/textual.js", "/ws", f"/?token={token}x"):
            assert get(port, path).status == 403, path

        admitted = get(port, f"/?token={token}&fontsize=14")
        assert admitted.status == 302 and admitted.getheader("Location") == "/?fontsize=14"
        cookie = admitted.getheader("Set-Cookie") or ""
        assert f"{TOKEN_COOKIE}={token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie

        with_cookie = {"Cookie": f"{TOKEN_COOKIE}={token}"}
        assert get(port, "/", with_cookie).status == 200
        assert get(port, "/static/js/textual.js", with_cookie).status == 200
        foreign = {**with_cookie, "Origin": "http://elsewhere.example"}
        assert get(port, "/ws", foreign).status == 403
    finally:
        served.stop()


def test_a_local_server_refuses_other_host_names(tmp_path: Path, demo: Path) -> None:
    port = free_port()
    served = Served(tmp_path, demo, "--port", str(port))
    try:
        served.wait_ready()
        assert get(port, "/").status == 200
        assert get(port, "/", {"Host": f"localhost:{port}"}).status == 200
        # A site whose name was pointed at 127.0.0.1 (DNS rebinding) must not reach the app.
        assert get(port, "/", {"Host": f"rebound.example:{port}"}).status == 403
        assert get(port, "/ws", {"Origin": "http://rebound.example"}).status == 403
    finally:
        served.stop()


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cdev-tui: error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_port_in_use_is_one_line_and_exit_2(demo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve(demo, "--port", str(port))
    assert_one_line_error(result, f"port {port} on 127.0.0.1 is already in use")
    assert result.stdout == ""


def test_another_host_without_a_token_is_refused(demo: Path) -> None:
    result = run_serve(demo, "--host", "0.0.0.0", "--port", str(free_port()))
    assert_one_line_error(result, "--host 0.0.0.0", "--token", TOKEN_ENV)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--port", "70000"), "--port 70000: not a port number"),
        (("--token", "short"), "--token: the token must be at least 16"),
        (("--host", "no-such-host.invalid"), "--host no-such-host.invalid"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(demo: Path, args: tuple[str, ...], fragment: str) -> None:
    assert_one_line_error(run_serve(demo, *args), fragment)


def test_a_folder_that_is_not_a_repository_is_refused(tmp_path: Path) -> None:
    assert_one_line_error(run_serve(tmp_path, "--port", str(free_port())), "not a git repository")


@pytest.mark.parametrize(
    ("gate", "request_", "verdict"),
    [
        (Gate(None, True), {"host": "127.0.0.1:8000"}, Verdict.ALLOW),
        (Gate(None, True), {"host": "[::1]:8000"}, Verdict.ALLOW),
        (Gate(None, True), {"host": "evil.example:8000"}, Verdict.FOREIGN_HOST),
        (Gate(None, True), {"host": "localhost:8000", "origin": "http://localhost:8000"}, Verdict.ALLOW),
        (
            Gate(None, True),
            {"host": "localhost:8000", "origin": "http://localhost:9000"},
            Verdict.CROSS_ORIGIN,
        ),
        (Gate("t" * 16, False), {"host": "box:8000"}, Verdict.NO_TOKEN),
        (Gate("t" * 16, False), {"host": "box:8000", "query_token": "t" * 16}, Verdict.ADMIT),
        (Gate("t" * 16, False), {"host": "box:8000", "cookie_token": "t" * 16}, Verdict.ALLOW),
        (Gate("t" * 16, False), {"host": "box:8000", "cookie_token": "t" * 15}, Verdict.NO_TOKEN),
    ],
)
def test_gate_verdicts(gate: Gate, request_: dict[str, str], verdict: Verdict) -> None:
    fields = {"origin": None, "query_token": None, "cookie_token": None, **request_}
    assert gate.verdict(**fields) is verdict


def test_loopback_hosts_and_urls() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "example.com"))
    assert open_url("::1", 8000) == "http://[::1]:8000/"
    assert open_url("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000/"


def test_port_check_names_the_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CdevError, match=f"port {port} on 127.0.0.1 is already in use"):
            check_port("127.0.0.1", port)
    check_port("127.0.0.1", port)  # free again once closed
