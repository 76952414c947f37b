"""Serving the app to a web browser: where it listens, who may connect, and what each browser tab runs.

Plain functions over strings and sockets; ``cdev_tui.cli.serve`` wires them into textual-serve.
"""

from __future__ import annotations

import enum
import errno
import hmac
import ipaddress
import shlex
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cdev_tui.errors import CdevError

TOKEN_ENV = "CDEV_TUI_SERVE_TOKEN"
TOKEN_QUERY = "token"
TOKEN_COOKIE = "cdev_tui_token"
MIN_TOKEN_LENGTH = 16
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) means this machine only."""
    name = host.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def choose_token(host: str, given: str | None, environ: Mapping[str, str]) -> str | None:
    """The access token: ``--token``, else ``$CDEV_TUI_SERVE_TOKEN``; required for a host other than this
    machine, optional (but enforced when given) on it."""
    token = given if given is not None else environ.get(TOKEN_ENV)
    if token is None or token == "":
        if is_loopback(host):
            return None
        raise CdevError(
            f"--host {host}: serving beyond this machine needs an access token: give --token or set "
            f"{TOKEN_ENV} (for example from `python -c 'import secrets; print(secrets.token_urlsafe())'`)"
        )
    source = "--token" if given is not None else TOKEN_ENV
    if len(token) < MIN_TOKEN_LENGTH or token != token.strip() or not token.isprintable():
        raise CdevError(
            f"{source}: the token must be at least {MIN_TOKEN_LENGTH} printable characters without "
            "surrounding spaces"
        )
    return token


def check_port(host: str, port: int) -> None:
    """Raise a one-line :class:`CdevError` unless ``port`` on ``host`` can be listened on right now."""
    if not 1 <= port <= 65535:
        raise CdevError(f"--port {port}: not a port number (1 to 65535)")
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise CdevError(f"--host {host}: not an address or a name this machine can resolve") from None
    for family, kind, proto, _name, address in addresses:
        # The server sets SO_REUSEADDR too, so a port left in TIME_WAIT is free for both.
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise port_error(host, port, exc) from None


def port_error(host: str, port: int, exc: OSError) -> CdevError:
    """The one-line error for a failed bind of ``port`` on ``host``."""
    if exc.errno == errno.EADDRINUSE:
        return CdevError(f"port {port} on {host} is already in use (choose another with --port)")
    if exc.errno == errno.EACCES:
        return CdevError(f"port {port} on {host}: permission denied (ports below 1024 need root)")
    if exc.errno == errno.EADDRNOTAVAIL:
        return CdevError(f"--host {host}: not an address of this machine")
    return CdevError(f"cannot listen on port {port} of {host} ({exc.strerror or exc})")


def url_host(host: str) -> str:
    """``host`` as it goes in a URL: IPv6 addresses in brackets."""
    try:
        return f"[{host}]" if ipaddress.ip_address(host.strip("[]")).version == 6 else host
    except ValueError:
        return host


def open_url(host: str, port: int) -> str:
    """The address to open in a browser; for a wildcard host, this machine's name."""
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = socket.gethostname()
    return f"http://{url_host(host)}:{port}/"


def served_command(python: str, repo: Path, db: Path | None = None) -> str:
    """The shell command each browser tab runs: this Python's ``cdev-tui`` on ``repo``."""
    args = [python, "-m", "cdev_tui", "--repo", str(repo)]
    if db is not None:
        args += ["--db", str(db)]
    return shlex.join(args)


class Verdict(enum.Enum):
    """What the server does with one request."""

    ALLOW = "allow"
    ADMIT = "admit"
    """The right token in the query: set the cookie and send the browser to the same page without it."""
    NO_TOKEN = "no token"
    FOREIGN_HOST = "foreign host"
    CROSS_ORIGIN = "cross origin"


@dataclass(frozen=True)
class Gate:
    """Who may use the server: a token (if any), and on a loopback address only loopback host names."""

    token: str | None
    local_only: bool

    def verdict(
        self, *, host: str, origin: str | None, query_token: str | None, cookie_token: str | None
    ) -> Verdict:
        """The verdict for a request with this ``Host`` header, ``Origin`` header, query token and cookie."""
        if self.local_only and not is_loopback(_hostname(host)):
            # A page whose own name was made to point at 127.0.0.1 (DNS rebinding) would arrive here.
            return Verdict.FOREIGN_HOST
        if origin is not None and not _same_origin(origin, host):
            # Browsers let any page open a websocket anywhere; only our own page may drive the app.
            return Verdict.CROSS_ORIGIN
        if self.token is None or _matches(cookie_token, self.token):
            return Verdict.ALLOW
        if _matches(query_token, self.token):
            return Verdict.ADMIT
        return Verdict.NO_TOKEN


def _matches(offered: str | None, token: str) -> bool:
    return offered is not None and hmac.compare_digest(offered.encode(), token.encode())


def _hostname(host: str) -> str:
    """The name part of a ``Host`` header (``name:port``, ``[v6]:port`` or bare)."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _same_origin(origin: str, host: str) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()
