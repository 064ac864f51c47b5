"""The hostile world, on the real process in a pty: server, data directory, config and themes all carry payloads.

A loopback server whose model ids, replies and titles, and a data directory, config file and theme folder whose
strings, times and file names, carry markup (`[@click=app.quit]`, `[/]`, `[b]`), OSC 52, OSC 0/8, CSI 2J, DCS, C1, BEL,
U+202E and U+200B. Every screen is visited and every verb run: no raw escape or C1 byte from a payload reaches the
terminal, brackets show as typed, no traceback, the app keeps answering keys and exits as the README says.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import encode_conversation
from causerie.testing.fake_openai import FakeOpenAI, Reply, ToolCallSpec, error_body
from causerie.ui.screens.tool_approval import GUARD_SECONDS
from tests.mcp_servers import WEATHER

from .conftest import Launch
from .rawcheck import foreign_sequences
from .terminal import Terminal, click_text

MARKUP = "[@click=app.quit]Q[/] [/] [b]B"
SEQUENCES = (
    "\x1b]52;c;SGk=\x07 \x1b]0;T\x07 \x1b]8;;http://evil.example/\x1b\\L\x1b]8;;\x1b\\ "
    "\x1b[2J \x1bP+q\x1b\\ \x9b1m \x07"
)
PAYLOAD = f"{MARKUP} {SEQUENCES} \u202eRTL \u200bZW"
BAD_FILE = "20250101-000000000-\x1b]0;pwned\x07.json"


def click_payload(folder: Path) -> str:
    """Markup that, if it were parsed, would show "x" and save a screenshot into `folder` when clicked."""
    return f"[@click=app.screenshot('x.svg','{folder}')]x[/]"


def screenshots(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.svg"))


def assert_output_clean(raw: bytes, allowed: re.Pattern[str] | None = None) -> None:
    """What the process wrote holds no sequence of its own making beyond `allowed`, no bidi or zero-width
    character from outside, no traceback."""
    assert [seq for seq in foreign_sequences(raw) if allowed is None or not allowed.fullmatch(seq)] == []
    text = raw.decode("utf-8", "replace")
    assert not any(char in text for char in "\u202e\u202c\u2066\u2069\u200b")
    assert "Traceback" not in text


def quit_cleanly(term: Terminal, home: Path) -> None:
    """Quit with ctrl+q: a clean exit, a clean output, and no screenshot written by a click on outside text."""
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    assert_output_clean(term.raw_bytes())
    assert screenshots(home) == []


def _toml(text: str) -> str:
    """A TOML basic string holding `text` (control characters as \\u escapes)."""
    return json.dumps(text)  # JSON string escapes are valid TOML basic-string escapes


@pytest.fixture
def hostile_home(causerie_home: Path) -> Conversation:
    """A data directory, config file and theme folder full of payloads; returns the saved conversation."""
    conversations = causerie_home / "data" / "conversations"
    conversations.mkdir(parents=True)
    title = f"T1 {click_payload(causerie_home)} {PAYLOAD}"
    conversation = Conversation(title=title, model=f"m {PAYLOAD}", system_prompt=PAYLOAD)
    conversation.append(Message(role="user", content=f"U1 {PAYLOAD}"))
    reply = Message(role="assistant", content=f"A1 {PAYLOAD}\n\n[link text](https://evil.example/x)", model=PAYLOAD)
    reply.finish_reason = "stop"
    conversation.append(reply)
    conversation.created_at = conversation.updated_at = "\x1b]0;PWND\x1b\\\x1b[8m"  # times are read from the file too
    (conversations / f"{conversation.id}.json").write_bytes(encode_conversation(conversation))
    (conversations / BAD_FILE).write_text("{not json")
    config = causerie_home / "config"
    (config / "themes").mkdir(parents=True)
    (config / "config.toml").write_text(
        f"system_prompt = {_toml(PAYLOAD)}\n[keymap]\n{_toml('K ' + PAYLOAD)} = {_toml(PAYLOAD)}\n"
    )
    (config / "config.toml").chmod(0o600)
    (config / "themes" / "[b]\x1b]0;theme\x07.toml").write_text(f'name = "x"\n{_toml("k " + PAYLOAD)} = 1\n')
    return conversation


def test_every_screen_in_a_hostile_world(
    launch: Launch, server: FakeOpenAI, hostile_home: Conversation, causerie_home: Path
) -> None:
    server.models = [
        {"id": name, "object": "model", "created": 0, "owned_by": "x"} for name in (PAYLOAD, "[/]", "gpt-6-luna")
    ]
    server.default = Reply(text=f"R2 {PAYLOAD}")
    term = launch(server, "open", hostile_home.id)
    term.wait_for("A1 [@click=app.quit]Q[/] [/] [b]B")  # the stored reply, brackets as typed
    term.type("hello")
    term.press("enter")
    term.wait_for("R2 [@click=app.quit]Q[/]")  # the streamed reply
    term.wait_gone("writing…")
    steps = [
        ("f1", "Keys"),  # help
        ("f3", "models on the server"),  # conversation settings, with the server's model list
        ("f4", "Usage across"),  # usage
        ("ctrl+f", "Type to search"),  # search
        ("ctrl+p", "Search for commands"),  # palette
        ("ctrl+t", "causerie-ansi"),  # theme picker
    ]
    for key, shown in steps:
        term.process.write(_key(key))
        term.wait_for(shown)
        term.press("escape")
        term.wait_gone(shown)
    # The sidebar's dialogs show the title: the would-be link is text, and a click on it saves nothing.
    term.press("ctrl+b", "ctrl+b")  # hide and show the sidebar: the focus is in the list
    term.wait_for("f2 Rename")
    term.press("f2")
    term.wait_for("Rename conversation")
    term.process.write(_key("home"))  # the input shows the end of the title: back to its start
    term.wait_for("app.screenshot")  # the title in the input, brackets as typed
    click_text(term, "app.screenshot")
    term.press("escape")
    term.wait_gone("Rename conversation")
    term.wait_for("f2 Rename")
    term.press("delete")
    term.wait_for("Delete conversation?")
    term.wait_for("app.screenshot")  # the title in the question
    click_text(term, "app.screenshot")
    term.press("escape")  # cancelled: nothing moves to the trash
    term.wait_gone("Delete conversation?")
    term.process.write(_key("f5"))  # branch: a notification naming the title
    term.wait_for("Branched")
    quit_cleanly(term, causerie_home)
    assert not (causerie_home / "data" / "trash").exists()


# What Rich itself writes for a live display or a progress bar: erase line, cursor up, cursor shown or hidden.
_RICH_RE = re.compile(rb"\x1b\[2K|\x1b\[\d*A|\x1b\[\?25[hl]")
_EXTRA_KEYS = {"f3": "\x1bOR", "f4": "\x1bOS", "f5": "\x1b[15~", "ctrl+p": "\x10", "ctrl+t": "\x14", "home": "\x1b[H"}


def _key(name: str) -> bytes:
    from .terminal import KEYS

    return (KEYS.get(name) or _EXTRA_KEYS[name]).encode()


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("list",), 0),
        (("list", "--json"), 0),
        (("search", "A1"), 0),
        (("search", "A1", "--json"), 0),
        (("show", "{id}"), 0),
        (("export", "{id}"), 0),
        (("export", "{id}", "-f", "json"), 0),
        (("export", "{id}", "-o", "{tmp}/out.md"), 0),
        (("import", "{tmp}/hostile-import.json"), 0),
        (("doctor",), 1),
        (("config", "path"), 0),
        (("ask", "hello"), 0),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_every_verb_in_a_hostile_world(
    launch: Launch, server: FakeOpenAI, hostile_home: Conversation, tmp_path: Path, args: tuple[str, ...], status: int
) -> None:
    server.default = Reply(text=f"R2 {PAYLOAD}")
    item = json.loads(encode_conversation(hostile_home))
    (tmp_path / "hostile-import.json").write_text(json.dumps([dict(item, id=f"bad\x1b]0;x\x07{PAYLOAD}")]))
    argv = [arg.format(id=hostile_home.id, tmp=tmp_path) for arg in args]
    term = launch(server if args[0] == "ask" else None, *argv)
    assert term.wait_exit() == status
    assert_output_clean(term.raw_bytes(), allowed=_RICH_RE)


RECALLED = "U9 \x1b[2J \x1b]0;x\x07 \x9b31m \u202eRTL\u202c \u2066iso\u2069 \u200bZW end9"


def test_a_recalled_prompt_shows_its_controls_as_symbols_and_is_sent_as_stored(
    launch: Launch, server: FakeOpenAI, causerie_home: Path
) -> None:
    conversations = causerie_home / "data" / "conversations"
    conversations.mkdir(parents=True)
    conversation = Conversation(title="recall")
    conversation.append(Message(role="user", content=RECALLED))
    conversation.append(Message(role="assistant", content="first answer", model="m", finish_reason="stop"))
    (conversations / f"{conversation.id}.json").write_bytes(encode_conversation(conversation))
    server.default = Reply(text="second answer")
    term = launch(server, "open", conversation.id)
    term.wait_for("first answer")
    term.press("up")  # in the empty prompt: the last message sent comes back for editing
    term.wait_for("Editing a sent message")
    term.wait_until(lambda: term.text().count("end9") == 2, "the recalled text in the prompt")
    term.press("enter")  # sent again as a new version: the stored text, not what the screen shows
    term.wait_for("second answer")
    assert server.chat_requests()[-1].body["messages"][-1]["content"] == RECALLED
    quit_cleanly(term, causerie_home)


def test_the_setup_screen_tests_a_hostile_server(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    click = click_payload(causerie_home)
    server.models = [
        {"id": name, "object": "model", "created": 0, "owned_by": "x"} for name in (click, PAYLOAD, "[/]", "[/INST]")
    ]
    server.models_reply = Reply(status=401, error=error_body("invalid_api_key", f"E1 {click} {SEQUENCES} [/] [/INST]"))
    term = launch(None, key=None)  # no key and no server: the setup screen opens
    term.wait_for("Set up causerie")
    click_text(term, "A server on this machine")
    term.wait_for("No local server answered")  # the search at the usual ports is over, the URL input has the focus
    term.process.write(_key("home"))
    term.process.write(b"\x0b")  # ctrl+k: empty the URL input from its start
    term.wait_gone(":11434/v1  ")  # the first usual address, which the input held
    term.type(server.base_url)
    term.wait_for(f":{server.port}/v1")  # the end of the URL: the input is narrower
    click_text(term, "Test connection")
    term.wait_for("app.screenshot")  # the server's error message, brackets as typed
    click_text(term, "app.screenshot")
    server.models_reply = None  # the server now answers with its model list
    click_text(term, "Test connection")
    term.wait_for("4 model(s) available")
    click_text(term, "Use")  # the first of the server's models (sorted) becomes the model in use
    term.wait_gone("Set up causerie")
    term.wait_for("model [/INST]")  # in the status line, as text
    quit_cleanly(term, causerie_home)


def test_a_hostile_tool_round(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    """The approval dialog and the tool result block, with payloads in the call's arguments and so in its result
    (a real MCP server, one of whose tools has a hostile description; F3's tool list is checked by a Pilot test)."""
    config = causerie_home / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        f'[mcp_servers.weather]\ncommand = {_toml(sys.executable)}\nargs = [{_toml(WEATHER)}, "--hostile"]\n'
    )
    (config / "config.toml").chmod(0o600)
    arguments = json.dumps({"city": f"C1 {click_payload(causerie_home)} {PAYLOAD}"})
    server.queue(
        Reply(text="", tool_calls=[ToolCallSpec("weather__forecast", arguments, id="c1")], finish_reason="tool_calls"),
        Reply(text=f"R3 {PAYLOAD}"),
    )
    term = launch(server)
    term.wait_for("Message")
    term.type("weather?")
    term.press("enter")
    term.wait_for("y allow once")  # the approval dialog
    term.wait_for("app.screenshot")  # the arguments, brackets as typed
    click_text(term, "app.screenshot")
    time.sleep(GUARD_SECONDS + 0.2)  # keys typed in the dialog's first half second are ignored on purpose
    term.type("y")
    term.wait_for("R3 [@click=app.quit]Q[/]")  # the reply after the tool's result
    term.wait_for("Tool · weather › forecast")  # the result block
    term.wait_gone("writing…")
    quit_cleanly(term, causerie_home)
    [result] = [m for m in server.chat_requests()[-1].body["messages"] if m["role"] == "tool"]
    assert result["content"].startswith(f"C1 {click_payload(causerie_home)} {PAYLOAD}: rain")  # sent as it came
