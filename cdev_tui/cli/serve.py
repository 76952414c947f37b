"""``cdev-tui serve``: the same app in a web browser through textual-serve, one app process per tab."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from cdev_tui.cli.common import EXIT_OK, start_dir
from cdev_tui.web_serve import TOKEN_ENV, Gate

HELP = "serve the app to a web browser (this machine only, unless --host says otherwise)"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SHUTDOWN_SECONDS = 3.0
"""How long open browser sessions get to close their app processes after Ctrl-C."""


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; any other needs a token)",
    )
    sub.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    sub.add_argument(
        "--token",
        default=None,
        help=f"access token every browser must bring, as ?token= on the first visit (default ${TOKEN_ENV})",
    )


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    from cdev_tui.gitops import find_worktree_root
    from cdev_tui.web_serve import check_port, choose_token, is_loopback, open_url, served_command

    repo = start_dir(args)
    find_worktree_root(repo)  # not a repository: one line now rather than a blank page in the browser
    token = choose_token(args.host, args.token, os.environ)
    os.environ.pop(TOKEN_ENV, None)  # the app processes inherit this environment and have no use for it
    check_port(args.host, args.port)
    local = is_loopback(args.host)
    if not local:
        print(
            f"cdev-tui: warning: serving on {args.host}: anyone who reaches port {args.port} and has the "
            "token controls your agents and their worktrees",
            file=sys.stderr,
        )
    server = _make_server(
        served_command(sys.executable, repo, args.db), args.host, args.port, Gate(token, local_only=local)
    )
    url = open_url(args.host, args.port)

    def ready() -> None:
        where = f"{url}?token=<your token>" if token else url
        print(f"serving cdev-tui for {repo} at {where} (Ctrl-C stops)", flush=True)

    asyncio.run(server.run_until_stopped(ready))
    return EXIT_OK


def _make_server(command: str, host: str, port: int, gate: Gate) -> Any:
    """A textual-serve server for ``command`` behind ``gate``; textual-serve loads only for this command."""
    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.server import Server

    from cdev_tui.web_serve import TOKEN_COOKIE, TOKEN_QUERY, Verdict, port_error

    @web.middleware
    async def check_access(request: web.Request, handler: Any) -> web.StreamResponse:
        verdict = gate.verdict(
            host=request.host,
            origin=request.headers.get("Origin"),
            query_token=request.query.get(TOKEN_QUERY),
            cookie_token=request.cookies.get(TOKEN_COOKIE),
        )
        if verdict is Verdict.ALLOW:
            return await handler(request)
        if verdict is Verdict.ADMIT:
            # Keep the token out of the address bar and the history: the cookie carries it from here on.
            query = request.query.copy()
            query.popall(TOKEN_QUERY)
            response = web.HTTPFound(request.rel_url.with_query(query))
            response.set_cookie(TOKEN_COOKIE, gate.token, httponly=True, samesite="Strict", path="/")
            return response
        reasons = {
            Verdict.NO_TOKEN: "open the address with ?token=<the server's token>",
            Verdict.FOREIGN_HOST: "this server answers only to this machine's own names",
            Verdict.CROSS_ORIGIN: "requests from other sites are refused",
        }
        return web.Response(status=403, text=f"403 forbidden: {reasons[verdict]}\n")

    class BrowserServer(Server):
        """textual-serve's server behind the gate, with page links built from the address the browser used."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sessions: set[asyncio.Task[Any]] = set()

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(check_access)
            return app

        async def on_startup(self, app: web.Application) -> None:
            """Say nothing here: ``run`` prints the address once the port is really listened on."""

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            session = asyncio.current_task()
            assert session is not None
            self.sessions.add(session)
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions.discard(session)

        async def on_shutdown(self, app: web.Application) -> None:
            """End every browser session now: textual-serve then tells its app process to quit."""
            for session in list(self.sessions):
                session.cancel()

        async def handle_index(self, request: web.Request) -> web.Response:
            # textual-serve links the page to the host it listens on, which a browser elsewhere may not
            # reach, and whose name may differ from the one the token cookie was set for: use the browser's.
            origin = f"{request.scheme}://{request.host}"
            ws_scheme = "wss" if request.scheme == "https" else "ws"
            context = {
                "font_size": _int(request.query.get("fontsize"), 16),
                "app_websocket_url": f"{ws_scheme}://{request.host}{request.app.router['websocket'].url_for()}",
                "config": {"static": {"url": f"{origin}/static/"}},
                "application": {"name": "cdev-tui"},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def run_until_stopped(self, ready: Callable[[], None]) -> None:
            """Listen until SIGINT or SIGTERM, then close every browser session and its app process."""
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            runner = web.AppRunner(await self._make_app(), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
            await runner.setup()
            try:
                site = web.TCPSite(runner, self.host, self.port, shutdown_timeout=SHUTDOWN_SECONDS)
                try:
                    await site.start()
                except OSError as exc:  # taken between our check and now
                    raise port_error(self.host, self.port, exc) from None
                ready()
                await stop.wait()
            finally:
                await runner.cleanup()

    return BrowserServer(command, host=host, port=port, title="cdev-tui")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
