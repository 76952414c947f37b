"""Configuration: defaults, user file, repository file, environment, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdev_tui.config import Config, load_config, user_config_path
from cdev_tui.errors import CdevError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_when_nothing_is_configured(repo: Path) -> None:
    config = load_config(repo, env={})
    assert config == Config()
    assert config.target_branch is None  # detected later, never a hard-coded "main"


def test_repo_file_overrides_user_file_and_env_overrides_both(repo: Path, tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", 'theme = "nord"\nstall_minutes = 10\ntarget_branch = "develop"\n')
    write(
        repo / ".cdev" / "config.toml",
        'target_branch = "trunk"\nworktrees_root = "../trees"\n[keymap]\n"pane.agents" = "a"\n',
    )
    config = load_config(repo, env={"CDEV_TUI_CONFIG": str(user), "CDEV_TUI_STALL_MINUTES": "45"})
    assert config.theme == "nord"
    assert config.target_branch == "trunk"
    assert config.worktrees_root == repo / "../trees"
    assert config.stall_minutes == 45
    assert config.keymap == {"pane.agents": "a"}


def test_user_config_location_follows_xdg(tmp_path: Path) -> None:
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "cdev-tui" / "config.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("theme = ", "invalid TOML"),
        ('colour = "red"', "unknown setting 'colour'"),
        ('stall_minutes = "soon"', "stall_minutes must be a non-negative integer"),
        ("keymap = 3", "keymap must be a table"),
    ],
)
def test_bad_config_names_the_file_and_the_problem(repo: Path, text: str, message: str) -> None:
    path = write(repo / ".cdev" / "config.toml", text)
    with pytest.raises(CdevError) as error:
        load_config(repo, env={})
    assert str(path) in str(error.value) and message in str(error.value)


def test_bad_environment_value(repo: Path) -> None:
    with pytest.raises(CdevError, match="refresh_debounce_ms must be a non-negative integer"):
        load_config(repo, env={"CDEV_TUI_REFRESH_DEBOUNCE_MS": "fast"})


def test_voice_settings_default_to_push_to_talk_with_the_bundled_model(repo: Path) -> None:
    config = load_config(repo, env={})
    assert (config.voice_device, config.voice_model, config.voice_wake_word) == ("", "", "")
    assert config.voice_silence_ms == 600
    assert (config.voice_preload, config.voice_speak, config.voice_llm_fallback) == (False, True, False)


def test_voice_settings_from_the_repo_file_and_the_environment(repo: Path) -> None:
    write(
        repo / ".cdev" / "config.toml",
        'voice_device = 3\nvoice_model = "models/small"\nvoice_silence_ms = 800\n'
        'voice_wake_word = " computer "\nvoice_speak = false\nvoice_preload = true\n',
    )
    config = load_config(repo, env={"CDEV_TUI_VOICE_LLM_FALLBACK": "yes", "CDEV_TUI_VOICE_PRELOAD": "0"})
    assert config.voice_device == "3"
    assert config.voice_model == str(repo / "models/small")  # a folder, relative to the repository
    assert (config.voice_silence_ms, config.voice_wake_word) == (800, "computer")
    assert (config.voice_speak, config.voice_preload, config.voice_llm_fallback) == (False, False, True)
    assert load_config(repo, env={"CDEV_TUI_VOICE_MODEL": "base.en"}).voice_model == "base.en"  # a name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("voice_silence_ms = 20", "voice_silence_ms must be an integer from 100 to 5000"),
        ("voice_silence_ms = 60000", "voice_silence_ms must be an integer from 100 to 5000"),
        ('voice_speak = "loud"', "voice_speak must be true or false"),
        ("voice_wake_word = 1", "voice_wake_word must be a string"),
        ("voice_model = false", "voice_model must be a model folder or name"),
    ],
)
def test_bad_voice_settings_name_the_problem(repo: Path, text: str, message: str) -> None:
    write(repo / ".cdev" / "config.toml", text)
    with pytest.raises(CdevError, match=message):
        load_config(repo, env={})


def test_bad_voice_environment_value(repo: Path) -> None:
    with pytest.raises(CdevError, match="voice_preload must be true or false"):
        load_config(repo, env={"CDEV_TUI_VOICE_PRELOAD": "maybe"})
