"""Table cells, plots and the replay slider render what a user should read."""

from __future__ import annotations

from pathlib import Path

from cdev_tui.widgets.cells import display_path, progress_bar, status_text
from cdev_tui.workspace import AgentStatus


def test_progress_bar() -> None:
    assert progress_bar(0.5, 2, 4).plain == "█████░░░░░ 2/4"
    assert progress_bar(1.0, 4, 4).plain == "██████████ 4/4"
    assert progress_bar(0.0, 0, 0).plain == "░░░░░░░░░░  -"


def test_status_text_names_what_blocks() -> None:
    assert status_text(AgentStatus.BLOCKED, "on auth_agent").plain == "⏸ blocked on auth_agent"


def test_plots_count_time_back_from_now_in_a_unit_fitting_the_range() -> None:
    from cdev_tui.widgets.history_plot import steps, time_unit

    assert time_unit(3600) == (60.0, "minutes")
    assert time_unit(86400) == (3600.0, "hours")
    assert time_unit(30 * 86400) == (86400.0, "days")
    # a value holds until the next point: the line turns a corner instead of sloping
    assert steps([(0, 4.0), (10, 3.0), (20, 3.0)]) == [(0, 4.0), (10, 4.0), (10, 3.0), (20, 3.0)]


def test_the_replay_and_the_tiles_say_how_long_in_the_units_of_the_app() -> None:
    from cdev_tui.widgets.cells import age_text

    assert [age_text(42), age_text(300), age_text(3 * 3600 + 5), age_text(2 * 86400)] == [
        "42 s",
        "5 min",
        "3 h",
        "2 days",
    ]


def test_display_path() -> None:
    repo = Path("/w/shop")
    assert display_path(Path("/w/shop-work-trees/a"), repo) == "../shop-work-trees/a"
    assert display_path(Path("/elsewhere/deep/x"), repo) == "/elsewhere/deep/x"


def test_dependency_layers_and_cycles() -> None:
    from cdev_tui.widgets.dep_graph import layers

    deps = {
        "db": [],
        "catalog": [],
        "api": ["db"],
        "auth": ["db"],
        "cart": ["catalog", "auth"],
        "x": ["ghost"],
    }
    columns, cyclic = layers(deps)
    assert columns == [["db", "catalog", "x"], ["api", "auth"], ["cart"]]
    assert cyclic == []
    assert layers({"a": ["b"], "b": ["a"], "c": []}) == ([["c"]], ["a", "b"])


def test_changed_words_are_marked_where_they_are_drawn() -> None:
    from cdev_tui.widgets.hunk_view import CHANGED, diff_text, highlighted, mark_changes

    text = mark_changes(highlighted("\tif x:\n\t\ttimeout = 30\n", "python"), "\tif x:\n\t\ttimeout = 10\n")
    marked = {text.plain[span.start : span.end] for span in text.spans if span.style == CHANGED}
    assert marked == {"30"}
    assert "\t" not in text.plain
    assert diff_text("a\nb\n", "a\nc\n").plain.splitlines() == ["@@ -1,2 +1,2 @@", " a", "-b", "+c"]
    assert diff_text("a\n", "a\n").plain == "(same as ours)"
