"""A modal text editor for one hunk's result: ctrl+s keeps it, escape leaves it as it was."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

_LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "javascript",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".rs": "rust",
    ".go": "go",
    ".html": "html",
    ".css": "css",
    ".sql": "sql",
    ".sh": "bash",
    ".java": "java",
}


def language_for(path: str) -> str | None:
    """The TextArea language for a file, when it has one."""
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _LANGUAGES.get(suffix)


class HunkEditorScreen(ModalScreen[str | None]):
    """Edit a hunk's text; dismisses with the new text, or None when cancelled."""

    DEFAULT_CSS = """
    HunkEditorScreen {
        align: center middle;
    }
    HunkEditorScreen > Vertical {
        width: 90%;
        height: 80%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    HunkEditorScreen TextArea {
        height: 1fr;
    }
    HunkEditorScreen #hunk-editor-help {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Keep this text", id="hunk-editor.save"),
        Binding("escape", "cancel", "Cancel", id="hunk-editor.cancel"),
    ]

    def __init__(self, title: str, text: str, path: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="hunk-editor-title")
            area = TextArea(self.text, id="hunk-editor-area", show_line_numbers=True, tab_behavior="indent")
            language = language_for(self.path)
            if language is not None:
                try:
                    area.language = language
                except Exception:  # no tree-sitter grammar installed for it: plain text
                    area.language = None
            yield area
            yield Static(
                "ctrl+s keeps this text as the hunk's result · escape cancels", id="hunk-editor-help"
            )

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        """Close with the edited text."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
