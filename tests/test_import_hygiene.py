"""The core stays Textual-free and heavy libraries load only in the workers that need them."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "cdev_tui.cli",
    "cdev_tui.cli.status",
    "cdev_tui.cli.scan",
    "cdev_tui.config",
    "cdev_tui.store",
    "cdev_tui.workspace",
    "cdev_tui.service",
    "cdev_tui.metrics",
    "cdev_tui.metrics_outcomes",
    "cdev_tui.plan",
    "cdev_tui.commands",
    "cdev_tui.watch",
    "cdev_tui.checklist",
    "cdev_tui.cext.linescan",
    "cdev_tui.planner",
    "cdev_tui.plan_edit",
    "cdev_tui.llm",
    "cdev_tui.spawn",
    "cdev_tui.progress",
    "cdev_tui.integrate",
    "cdev_tui.cli.plan",
    "cdev_tui.conflicts",
    "cdev_tui.conflicts.session",
    "cdev_tui.conflicts.suggestions",
    "cdev_tui.conflicts.evaluation",
    "cdev_tui.conflicts.trial",
    "cdev_tui.cli.resolve",
    "cdev_tui.cli.voice",
    "cdev_tui.voice.intents",
    "cdev_tui.voice.engine",
    "cdev_tui.voice.status",
    "cdev_tui.voice.capture",
    "cdev_tui.voice.endpoint",
    "cdev_tui.voice.transcribe",
    "cdev_tui.voice.speak",
    "cdev_tui.sessions.control",
    "cdev_tui.sessions.monitor",
    "cdev_tui.sessions.answers",
    "cdev_tui.sessions.usage",
    "cdev_tui.sessions.demo_agent",
    "cdev_tui.cli.agent",
    "cdev_tui.telemetry",
    "cdev_tui.web_serve",
    "cdev_tui.cli.serve",
]
FORBIDDEN = [
    "textual",
    "openai",
    "faster_whisper",
    "sounddevice",
    "git",
    "watchfiles",
    "numpy",
    "ctranslate2",
    "onnxruntime",
    "opentelemetry",
    "textual_serve",
]


def loaded_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


def test_core_does_not_import_textual_or_heavy_libraries() -> None:
    modules = loaded_after("\n".join(f"import {m}" for m in CORE_MODULES))
    assert "cdev_tui.workspace" in modules
    leaked = [name for name in FORBIDDEN if name in modules]
    assert leaked == []


def test_app_module_does_not_import_git_or_voice_libraries_at_startup() -> None:
    modules = loaded_after("import cdev_tui.app")
    assert "textual" in modules
    heavy = ("openai", "faster_whisper", "sounddevice", "git", "numpy", "ctranslate2", "onnxruntime")
    assert [n for n in heavy if n in modules] == []
