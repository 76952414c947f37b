"""The main screen's remote agents: fetching their remotes every ``remote_fetch_minutes`` and on ``r``.

A mixin of :class:`~cdev_tui.screens.main.MainScreen`: it uses the screen's ``service`` and
``load_workspace``. Nothing else polls: the interval timer is the only one, and only when ``remote_agents``
is configured. A fetch that fails is a warning saying the remote agents shown are as of the last fetch;
the workspace is read again after every fetch either way.
"""

from __future__ import annotations

from typing import Any

from textual import work


class RemoteFetchMixin:
    """Fetches for the remote agents, off the UI thread."""

    service: Any
    app: Any

    def start_remote_fetching(self) -> None:
        """With remote agents configured and an interval set: fetch now, then every interval."""
        config = self.service.config
        if not config.remote_agents or config.remote_fetch_minutes <= 0:
            return
        self.set_interval(config.remote_fetch_minutes * 60, self.fetch_remotes)  # type: ignore[attr-defined]
        self.fetch_remotes()

    @property
    def fetches_remotes(self) -> bool:
        """Remote agents are configured: a full refresh fetches first."""
        return bool(self.service.config.remote_agents)

    @work(
        thread=True, exclusive=True, group="fetch", exit_on_error=False, description="Fetching remote agents"
    )
    def fetch_remotes(self) -> None:
        """``git fetch`` the remotes of the remote agents, say what failed, then read the workspace again."""
        for notice in self.service.fetch_remotes():
            self.app.call_from_thread(self.notify, notice, severity="warning", timeout=10)  # type: ignore[attr-defined]
        self.app.call_from_thread(self.load_workspace)  # type: ignore[attr-defined]
