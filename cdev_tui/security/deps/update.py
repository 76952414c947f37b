"""Downloading osv.dev's per-ecosystem exports into the local database, atomically."""

from __future__ import annotations

import contextlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.security.deps.model import ECOSYSTEMS
from cdev_tui.security.deps.osv import OsvDatabase, default_db_dir

OSV_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
_CHUNK = 1 << 20


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {_one_line(exc.reason)}"
    if isinstance(exc, urllib.error.URLError):
        return _one_line(getattr(exc.reason, "strerror", None) or exc.reason)
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return _one_line(exc.strerror)
    return _one_line(exc) or type(exc).__name__


def update_db(
    dest: Path | None = None,
    ecosystems: Sequence[str] = ECOSYSTEMS,
    timeout: float = 60.0,
    base_url: str = OSV_BASE_URL,
    progress: Callable[[str, int], None] | None = None,
) -> list[Path]:
    """Download ``<base_url>/<Ecosystem>/all.zip`` for each ecosystem into ``dest/<Ecosystem>/all.zip``.

    Each file is written to a temporary file beside its target, checked to be a zip archive, then renamed
    over the old one, so a failed download leaves the previous database as it was and no partial file. Each
    new zip is then catalogued (:meth:`OsvDatabase.prepare`) so the next scan starts fast.
    ``progress(ecosystem, bytes so far)`` is called as data arrives. No network, an HTTP error or a broken
    download raise :class:`CdevError` with one line naming the URL and the reason. Returns the written paths.
    """
    dest = Path(dest) if dest is not None else default_db_dir()
    written: list[Path] = []
    for ecosystem in ecosystems:
        if ecosystem not in ECOSYSTEMS:
            raise CdevError(f"unsupported ecosystem {ecosystem!r}: use one of {', '.join(ECOSYSTEMS)}")
        written.append(
            _download(
                f"{base_url.rstrip('/')}/{ecosystem}/all.zip", dest / ecosystem, ecosystem, timeout, progress
            )
        )
        OsvDatabase(dest).prepare(ecosystem)
    return written


def _download(
    url: str, folder: Path, ecosystem: str, timeout: float, progress: Callable[[str, int], None] | None
) -> Path:
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CdevError(f"{folder}: cannot create the OSV database folder: {_reason(exc)}") from None
    target = folder / "all.zip"
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".all.zip.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            size = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                size += len(chunk)
                if progress:
                    progress(ecosystem, size)
        if not zipfile.is_zipfile(tmp):
            raise CdevError(f"cannot update the {ecosystem} OSV database from {url}: not a zip archive")
        os.replace(tmp, target)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise CdevError(f"cannot download the {ecosystem} OSV database from {url}: {_reason(exc)}") from None
    finally:
        tmp.unlink(missing_ok=True)
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only succeeds when the failed download left it empty
    return target
