"""Suggestions: trivial rules, structural combinations that can be proven, learned resolutions, real merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdev_tui.conflicts.evaluation import evaluate, load_corpus
from cdev_tui.conflicts.hunks import Hunk, parse_conflicts
from cdev_tui.conflicts.learned import LearnedStore, hunk_key
from cdev_tui.conflicts.structural import combine
from cdev_tui.conflicts.suggestions import HunkContext, best_safe, suggest, trivial
from cdev_tui.store import Store
from tests.test_hunks import REAL_MERGES


def hunk(ours: str, base: str | None, theirs: str) -> Hunk:
    return Hunk(0, ours, base, theirs, "ours", "theirs", "base", 0, 0, "")


@pytest.fixture
def learned(tmp_path: Path):
    store = Store(tmp_path / "store.db")
    yield LearnedStore(store, clock=lambda: 1_700_000_000.0)
    store.close()


# --- trivial ---------------------------------------------------------------------------------------------


def test_trivial_rules_are_safe_and_whitespace_is_not() -> None:
    (same,) = trivial(hunk("x\n", "y\n", "x\n"))
    assert same.safe and same.result == "x\n"
    (theirs,) = trivial(hunk("y\n", "y\n", "z\n"))
    assert theirs.safe and theirs.result == "z\n"
    (ours,) = trivial(hunk("o\n", "y\n", "y\n"))
    assert ours.safe and ours.result == "o\n"
    (spaces,) = trivial(hunk("a = 1\n", "a=0\n", "a  =  1\n"))
    assert not spaces.safe
    (reindent,) = trivial(hunk("    call()\n", "  call()\n", "  call(x)\n"))
    assert not reindent.safe and reindent.result == "  call(x)\n"
    assert trivial(hunk("a\n", "b\n", "c\n")) == []


def test_best_safe_refuses_when_safe_suggestions_disagree() -> None:
    from cdev_tui.conflicts.suggestions import Suggestion

    one = Suggestion("learned", "a\n", 1.0, True, "")
    two = Suggestion("structural", "b\n", 1.0, True, "")
    assert best_safe([one]) is one
    assert best_safe([one, two]) is None
    assert best_safe([one], sources=("trivial",)) is None


# --- structural ------------------------------------------------------------------------------------------


def test_python_imports_added_on_both_sides_keep_the_sort_order() -> None:
    base = "import os\nimport sys\n"
    ours = "import json\nimport os\nimport sys\n"
    theirs = "import os\nimport re\nimport sys\n"
    found = combine("pkg/mod.py", base, ours, theirs)
    assert found is not None and found.block == "imports" and found.order == "sorted"
    assert found.result == "import json\nimport os\nimport re\nimport sys\n"


def test_imports_with_the_same_name_twice_or_a_removed_line_are_not_combined() -> None:
    assert combine("m.py", "import os\n", "import os\nimport re\n", "import os\nimport re as regex\n") is None
    assert (
        combine(
            "m.py",
            "import os\nimport sys\n",
            "import re\nimport sys\n",
            "import os\nimport json\nimport sys\n",
        )
        is None
    )
    assert combine("m.py", "x = 1\n", "x = 1\ny = 2\n", "x = 1\nz = 3\n") is None


def test_requirements_from_pip_compile_with_via_comments() -> None:
    base = "click==8.1\n    # via flask\n"
    ours = "blinker==1.7\n    # via flask\nclick==8.1\n    # via flask\n"
    theirs = "click==8.1\n    # via flask\nitsdangerous==2.1\n    # via flask\n"
    found = combine("requirements/dev.txt", base, ours, theirs, prefix="alabaster==0.7\n    # via sphinx\n")
    assert found is not None and found.block == "requirements"
    assert found.result == ours + "itsdangerous==2.1\n    # via flask\n"


def test_a_version_bump_on_one_side_is_not_a_combination() -> None:
    # ours adds a package, theirs bumps one that is already there: someone has to decide.
    assert (
        combine("requirements.txt", "packaging==24.1\n", "mdurl==0.1\npackaging==24.1\n", "packaging==24.2\n")
        is None
    )
    assert combine("requirements.txt", "", "flask==3.0\n", "flask==3.1\n") is None


def test_changelog_bullets_and_version_sections() -> None:
    ours = "- Fix the pager on Windows.\n  :issue:`12`\n"
    theirs = "- Add a flag.\n"
    found = combine("CHANGES.rst", "", ours, theirs)
    assert found is not None and found.result == ours + theirs and found.order == "ours then theirs"
    new = "Version 3.1.1\n-------------\n\nUnreleased\n\n-   Fix a type hint.\n\n\n"
    newer = "Version 3.2.0\n-------------\n\nUnreleased\n\n-   Drop Python 3.9.\n\n\n"
    found = combine("CHANGES.rst", "", new, newer)
    assert found is not None and found.result == newer + new and found.order == "newest version first"
    assert combine("CHANGES.rst", "", "Some prose.\n", "- A bullet.\n") is None


def test_dict_keys_in_json_are_combined_only_when_the_file_parses() -> None:
    text = '{\n  "a": 1,\n<<<<<<< ours\n  "b": 2,\n=======\n  "c": 3,\n>>>>>>> theirs\n  "z": 0\n}\n'
    parsed = parse_conflicts(text)
    (h,) = parsed.hunks

    def file_with(result: str) -> str:
        return parsed.render({0: result})

    found = combine("data.json", "", h.ours, h.theirs, prefix='{\n  "a": 1,\n', file_with=file_with)
    assert found is not None and found.block == "dict keys"
    assert found.result == '  "b": 2,\n  "c": 3,\n'
    same_key = combine("data.json", "", '  "b": 2,\n', '  "b": 3,\n', prefix="{\n", file_with=file_with)
    assert same_key is None


def test_list_elements_only_in_unordered_lists() -> None:
    prefix = "__all__ = [\n"
    found = combine(
        "pkg/__init__.py",
        "",
        '    "alpha",\n',
        '    "beta",\n',
        prefix=prefix,
        file_with=lambda r: prefix + r + "]\n",
    )
    assert found is not None and found.result == '    "alpha",\n    "beta",\n'
    middleware = "MIDDLEWARE = [\n"
    ordered = combine(
        "settings.py",
        "",
        '    "a.A",\n',
        '    "b.B",\n',
        prefix=middleware,
        file_with=lambda r: middleware + r + "]\n",
    )
    assert ordered is None  # the order of a list like this one matters


def test_toml_dependencies() -> None:
    prefix = '[project]\nname = "x"\ndependencies = [\n    "click>=8",\n'
    suffix = "]\n"
    found = combine(
        "pyproject.toml",
        "",
        '    "httpx>=0.27",\n',
        '    "rich>=13",\n',
        prefix=prefix,
        suffix=suffix,
        file_with=lambda r: prefix + r + suffix,
    )
    assert found is not None and found.result == '    "httpx>=0.27",\n    "rich>=13",\n'


def test_suggest_orders_safe_first_and_offers_separate_edits_as_unsafe() -> None:
    h = hunk("@decorator\ndef f(a):\n", "def f(a):\n", "def f(a, b):\n")
    (combined,) = suggest(h, HunkContext("m.py", file_with=lambda r: r + "    pass\n"))
    assert combined.source == "structural" and not combined.safe
    assert combined.result == "@decorator\ndef f(a, b):\n"


# --- learned ---------------------------------------------------------------------------------------------


def test_learned_exact_swapped_and_forgotten(learned: LearnedStore) -> None:
    assert learned.remember("a.py", "o\n", "b\n", "t\n", "mine\n", "editor")
    found = learned.lookup("o\n", "b\n", "t\n")
    assert found is not None and found.match == "exact" and found.result == "mine\n"
    swapped = learned.lookup("t\n", "b\n", "o\n")
    assert swapped is not None and swapped.match == "swapped"
    assert learned.lookup("o\n", "other base\n", "t\n") is None
    assert learned.forget(hunk_key("o\n", "b\n", "t\n"))
    assert learned.lookup("o\n", "b\n", "t\n") is None


def test_a_result_holding_a_secret_is_not_learned(learned: LearnedStore) -> None:
    token = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
    assert not learned.remember("a.py", "o\n", "b\n", "t\n", f'TOKEN = "{token}"\n', "editor")
    assert learned.count() == 0


def test_rerere_resolutions_are_imported(tmp_path: Path, learned: LearnedStore) -> None:
    entry = tmp_path / "rr-cache" / "0123abcd"
    entry.mkdir(parents=True)
    (entry / "preimage").write_text("head\n<<<<<<<\nalpha\n=======\nbeta\n>>>>>>>\ntail\n")
    (entry / "postimage").write_text("head\nalpha and beta\ntail\n")
    assert learned.import_rerere(tmp_path) == 1
    found = learned.lookup("beta\n", "base text rerere never saw\n", "alpha\n")
    assert found is not None and found.match == "sides" and found.result == "alpha and beta\n"


# --- real merges -----------------------------------------------------------------------------------------


def test_on_real_merges_every_safe_suggestion_is_what_the_maintainers_wrote() -> None:
    if not REAL_MERGES.is_file():
        pytest.skip(f"{REAL_MERGES} is not here (the shared real-merges corpus sits beside the project)")
    score = evaluate(load_corpus(REAL_MERGES))
    assert score.parse_errors == []
    assert score.misses == [], [(m.case, m.source) for m in score.misses]
    assert score.precision == 1.0
    # Conflicts recur across maintenance merges; the structural rules catch the changelog entries.
    assert score.covered["learned"] >= 10 and score.covered["structural"] >= 4
    assert score.union_precision < 0.1
