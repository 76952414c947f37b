"""Plan from a workflow template: pick the template, type the task; dismisses with both or None."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class TemplatePickerScreen(ModalScreen[tuple[str, str] | None]):
    """The templates a repository can use (built-in and ``.cdev/templates/``), then the task to plan.

    ``load`` returns :class:`cdev_tui.planner.TemplateInfo` objects; it reads files, so it runs in a worker.
    The screen dismisses with ``(template name, task)``.
    """

    DEFAULT_CSS = """
    TemplatePickerScreen {
        align: center middle;
    }
    TemplatePickerScreen > Vertical {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    TemplatePickerScreen OptionList {
        height: auto;
        max-height: 16;
    }
    TemplatePickerScreen .question {
        text-style: bold;
    }
    TemplatePickerScreen .hint {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="template-picker.cancel")]

    class Loaded(Message):
        """The templates were read (or reading them failed with ``error``)."""

        def __init__(self, templates: Sequence[Any], error: str | None = None) -> None:
            super().__init__()
            self.templates = list(templates)
            self.error = error

    def __init__(self, load: Callable[[], Sequence[Any]]) -> None:
        super().__init__()
        self.load = load
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Plan from which template?", classes="question", id="template-question")
            yield OptionList(id="template-list")
            yield Input(placeholder="the task: a description or a task file", id="template-task")
            yield Static(
                "enter picks the template, then type the task and press enter · escape cancels · "
                "your own templates go in .cdev/templates/NAME.toml",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#template-task").display = False
        self.query_one(OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, description="Reading the templates")
    def _load(self) -> None:
        from cdev_tui.errors import CdevError

        try:
            self.post_message(self.Loaded(self.load()))
        except CdevError as exc:
            self.post_message(self.Loaded([], str(exc)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.error:
            self.dismiss(None)
            self.app.notify(message.error, title="Templates", severity="error", timeout=10)
            return
        options = []
        for template in message.templates:
            label = Text()
            label.append(template.name, style="bold")
            label.append(f"  {template.description or '-'}")
            label.append(f"  ({template.source})", style="dim")
            options.append(Option(label, id=template.name))
        self.query_one(OptionList).add_options(options)
        self.query_one(OptionList).highlighted = 0 if options else None

    @on(OptionList.OptionSelected, "#template-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.chosen = event.option.id
        self.query_one("#template-question", Static).update(f"What should the agents build? ({self.chosen})")
        self.query_one(OptionList).display = False
        task = self.query_one("#template-task", Input)
        task.display = True
        task.focus()

    @on(Input.Submitted, "#template-task")
    def _typed(self, event: Input.Submitted) -> None:
        if self.chosen and event.value.strip():
            self.dismiss((self.chosen, event.value))

    def action_cancel(self) -> None:
        """Close without a plan."""
        self.dismiss(None)
