"""Linear issues: the ``.linear-cache`` files of a repository and the GraphQL API that fills them."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.planner.tasks import MAX_TASK_BYTES, TaskSpec, task_from_issue
from cdev_tui.structured import load_structured
from cdev_tui.workspace_files import write_linear_cache

DEFAULT_LINEAR_URL = "https://api.linear.app/graphql"


LINEAR_QUERY = """query Issue($id: String!) {
  issue(id: $id) {
    id identifier title description priority priorityLabel
    state { name } assignee { name email } team { name } project { name }
    createdAt updatedAt
  }
}"""


def find_linear_cache(repo: Path, issue_id: str) -> Path | None:
    """The cache file of ``issue_id`` in ``<repo>/.linear-cache`` (JSON first, then YAML; any letter case)."""
    folder = Path(repo) / ".linear-cache"
    if not folder.is_dir():
        return None
    suffixes = (".json", ".yaml", ".yml")
    for suffix in suffixes:
        if (folder / f"{issue_id}{suffix}").is_file():
            return folder / f"{issue_id}{suffix}"
    matches = [
        p for p in sorted(folder.iterdir()) if p.suffix in suffixes and p.stem.lower() == issue_id.lower()
    ]
    return min(matches, key=lambda p: suffixes.index(p.suffix)) if matches else None


def load_linear_task(repo: Path, issue_id: str) -> TaskSpec:
    """The task of a cached Linear issue (``.linear-cache/<ID>.json|yaml``)."""
    path = find_linear_cache(repo, issue_id)
    if path is None:
        raise CdevError(
            f"{Path(repo) / '.linear-cache'}: no cached issue {issue_id} (run: cdev-tui plan fetch {issue_id})"
        )
    data = load_structured(path)
    if not isinstance(data, Mapping):
        raise CdevError(f"{path}: expected a Linear issue object")
    return task_from_issue(data, str(path))


def fetch_linear_issue(
    issue_id: str,
    *,
    api_key: str | None,
    url: str | None = None,
    timeout: float = 30.0,
    repo: Path | None = None,
) -> dict[str, Any]:
    """Fetch one issue through Linear's GraphQL API (``Authorization: <key>``, no Bearer).

    ``url`` defaults to ``$LINEAR_API_URL`` or Linear's endpoint. With ``repo`` the issue is also written to
    ``<repo>/.linear-cache/<identifier>.json``. Every failure is a one-line CdevError.
    """
    import urllib.error
    import urllib.request

    issue_id = (issue_id or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", issue_id):
        raise CdevError(f"invalid Linear issue id {issue_id!r}")
    if not api_key or not api_key.strip():
        raise CdevError("LINEAR_API_KEY is not set: create a personal API key in Linear (Settings → API)")
    url = url or os.environ.get("LINEAR_API_URL") or DEFAULT_LINEAR_URL
    body = json.dumps({"query": LINEAR_QUERY, "variables": {"id": issue_id}}).encode()
    try:
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": api_key.strip(),
                "User-Agent": "cdev-tui",
            },
        )
    except ValueError:
        raise CdevError(f"invalid Linear API URL {url!r}") from None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_TASK_BYTES * 5)
    except urllib.error.HTTPError as exc:
        detail = _graphql_error(_json_or_none(exc.read(65536)))
        if exc.code in (401, 403):
            raise CdevError(f"Linear rejected the API key (HTTP {exc.code}) at {url}") from None
        raise CdevError(
            f"Linear API at {url} answered HTTP {exc.code}" + (f": {detail}" if detail else "")
        ) from None
    except urllib.error.URLError as exc:
        raise CdevError(f"cannot reach the Linear API at {url}: {exc.reason}") from None
    except TimeoutError:
        raise CdevError(f"the Linear API at {url} did not answer within {timeout:g} s") from None
    except ValueError:
        raise CdevError("LINEAR_API_KEY is not a valid header value") from None
    except OSError as exc:
        raise CdevError(f"cannot reach the Linear API at {url}: {exc.strerror or exc}") from None
    answer = _json_or_none(raw)
    if not isinstance(answer, Mapping):
        raise CdevError(f"the Linear API at {url} did not return a JSON object")
    detail = _graphql_error(answer)
    if detail:
        raise CdevError(f"Linear API error for {issue_id}: {detail}")
    data = answer.get("data")
    issue = data.get("issue") if isinstance(data, Mapping) else None
    if issue is None:
        raise CdevError(f"Linear issue {issue_id} not found")
    if not isinstance(issue, Mapping) or not issue.get("identifier"):
        raise CdevError(f"the Linear API at {url} returned an issue without an identifier")
    issue = dict(issue)
    if repo is not None:
        write_linear_cache(repo, issue)
    return issue


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None


def _graphql_error(answer: Any) -> str:
    if not isinstance(answer, Mapping):
        return ""
    errors = answer.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        message = first.get("message") if isinstance(first, Mapping) else first
        return " ".join(str(message or "unknown error").split())[:300]
    return ""
