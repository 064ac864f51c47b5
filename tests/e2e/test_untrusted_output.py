"""Model output, titles and server errors full of terminal control sequences, read back from the pty's bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import encode_conversation
from causerie.testing.fake_openai import FakeOpenAI, Reply, error_body

from .conftest import Launch
from .rawcheck import foreign_sequences

# Each injection sits between two plain words that must stay visible.
INJECTIONS = {
    "CSI clear screen + home": "\x1b[2J\x1b[H",
    "CSI cursor up / right": "\x1b[5A\x1b[10C",
    "CSI reverse-video screen mode": "\x1b[?5h",
    "CSI device status report (makes the terminal type a reply)": "\x1b[6n",
    "OSC 52 clipboard write (BEL)": "\x1b]52;c;SGFja2VkIQ==\x07",
    "OSC 52 clipboard write (ST)": "\x1b]52;c;SGFja2VkIQ==\x1b\\",
    "OSC 0 window title": "\x1b]0;pwned-title\x07",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example/\x1b\\link-text\x1b]8;;\x1b\\",
    "DCS request": "\x1bP+q544e\x1b\\",
    "RIS full reset": "\x1bc",
    "BEL": "\x07\x07",
    "C1 CSI (8-bit)": "\x9b2J",
    "C1 OSC (8-bit) + ST": "\x9d0;c1-title\x9c",
    "backspace and delete": "\x08\x08\x7f",
    "bare carriage return": "\rOVERWRITE",
}
WORDS = [f"word{i:02d}" for i in range(len(INJECTIONS) + 1)]
PAYLOAD = " ".join(w + " " + seq for w, seq in zip(WORDS, INJECTIONS.values(), strict=False)) + " " + WORDS[-1]


def split_everywhere(text: str) -> list[str]:
    """Stream chunks cut inside every escape sequence: one chunk per character around each ESC/C1."""
    chunks: list[str] = []
    for char in text:
        if char in "\x1b\x9b\x9d\x07" or not chunks:
            chunks.append(char)
        else:
            chunks[-1] += char
    return [piece for chunk in chunks for piece in (chunk[:2], chunk[2:]) if piece]


def test_detector_flags_each_injection() -> None:
    # The byte check below would be worthless if it could not see these sequences at all.
    for name, sequence in INJECTIONS.items():
        if name == "bare carriage return":
            continue
        assert foreign_sequences(("x " + sequence + " y").encode()), name
    assert foreign_sequences("\x9b2J".encode())
    assert not foreign_sequences(b"\x1b[1;33H\x1b[38;2;1;2;3mplain\x1b[0m\x1b[?25l\x1b]22;default\x07")


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split-across-chunks"])
def test_control_sequences_in_a_reply_never_reach_the_terminal(launch: Launch, server: FakeOpenAI, split: bool) -> None:
    text = PAYLOAD + "\n\n[a markdown link](https://evil.example/x) end"
    server.queue(Reply(chunks=split_everywhere(text) if split else [text], delay=0.001 if split else 0.0))
    term = launch(server)
    term.wait_for("Message")
    term.type("say something nasty")
    term.press("enter")
    term.wait_for(WORDS[-1])
    term.wait_gone("writing…")
    screen = term.text()
    for word in WORDS:
        assert word in screen, word
    assert "␛" in screen  # the ESCs are shown as visible stand-ins
    assert "pwned-title" in screen  # the would-be window title is plain text
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    raw = term.raw_bytes()
    assert foreign_sequences(raw) == []
    for sequence in INJECTIONS.values():
        if sequence != "\rOVERWRITE":
            assert sequence.encode() not in raw


def test_control_sequences_in_titles_and_server_errors(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    conversations = causerie_home / "data" / "conversations"
    conversations.mkdir(parents=True)
    hostile = Conversation(title="title01 \x1b]0;owned\x07 title02 \x1b[2J\x9b1m title03\nsecond line")
    hostile.append(Message(role="user", content="hi"))
    (conversations / f"{hostile.id}.json").write_bytes(encode_conversation(hostile))

    nasty = "denied \x1b]52;c;U1RPTEVO\x07 \x1b[2J\x1b[H \x9d0;t\x9c"
    # Statuses the app does not retry by itself, so each question meets exactly one of these answers.
    server.queue(
        Reply(status=400, error=error_body("bad_thing", nasty)),
        Reply(status=403, raw_body=f"<html><title>403 {nasty}</title><body>{nasty}</body></html>".encode()),
        Reply(status=422, raw_body=json.dumps({"error": nasty}).encode(), content_type="application/json"),
        Reply(text="before the error", error_after=3),
    )
    term = launch(server)
    term.wait_for("title01")
    for attempt in range(4):
        term.type(f"question {attempt}")
        term.press("enter")
        # Streaming requests only: after the good reply a background title request (not streamed) may follow.
        term.wait_until(
            lambda n=attempt + 1: len([r for r in server.chat_requests() if r.body.get("stream")]) == n,
            f"request {attempt + 1}",
        )
        # The turn is over once its failure is shown and the status line says so (it says "writing…" until the
        # reply's worker is done; the footer's Stop may never have been drawn for a refusal this quick): a question
        # typed before that would wait in the queue instead of being sent.
        if attempt < 3:
            term.wait_until(lambda n=attempt + 1: term.text().count("Your message is") >= n, f"failure {attempt + 1}")
            term.wait_until(lambda: "no reply (^r)" in term.text().splitlines()[-2], f"turn {attempt + 1} to end")
        else:
            term.wait_for("before the error")  # all of it came, then an error event: the reply is kept, marked
            term.wait_until(lambda: "interrupted" in term.text().splitlines()[-2], f"turn {attempt + 1} to end")
    # The sidebar shows a title on one line (cut); the rename dialog shows all of it, made visible.
    term.press("ctrl+b", "ctrl+b")  # hide and show the sidebar: the focus is in the list
    term.wait_for("f2 Rename")  # the footer shows the list's keys once it has the focus
    term.type("title01")  # type-to-filter

    def sidebar() -> str:
        return "\n".join(line[:32] for line in term.text().splitlines())

    term.wait_until(lambda: "question" not in sidebar(), "the filter to hide the other conversation")
    term.press("down", "f2")  # F2 right behind Down: Down moves the focus to the list before F2 is dispatched
    term.wait_for("Rename conversation")
    term.wait_for("title03")
    screen = term.text()
    assert "title02" in screen and "title03" in screen
    term.press("escape")
    term.wait_gone("Rename conversation")
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    raw = term.raw_bytes()
    assert foreign_sequences(raw) == []
    assert b"Traceback" not in raw


@pytest.mark.parametrize("verb", ["show", "export"])
def test_show_and_export_to_a_terminal_print_no_sequence_and_links_with_their_target(
    launch: Launch, causerie_home: Path, verb: str
) -> None:
    conversations = causerie_home / "data" / "conversations"
    conversations.mkdir(parents=True)
    hostile = Conversation(title="title01 \x1b]0;owned\x07 [/b] \u202etitle02")
    hostile.append(Message(role="user", content="hi"))
    link = "see [the docs](https://evil.example/steal) end\n\n1. first step\n2. second step"
    hostile.append(Message(role="assistant", content=f"{PAYLOAD}\n\n{link}", model="m", finish_reason="stop"))
    (conversations / f"{hostile.id}.json").write_bytes(encode_conversation(hostile))
    term = launch(None, verb, hostile.id)
    assert term.wait_exit() == 0
    assert foreign_sequences(term.raw_bytes()) == []
    assert "\u202e" not in term.raw_bytes().decode("utf-8", "replace")
    screen = term.text()
    for word in WORDS:
        assert word in screen
    if verb == "show":  # rendered Markdown: the link's text, then its target
        assert "the docs (https://evil.example/steal)" in " ".join(screen.split())
        assert "1. first step" in screen and "2. second step" in screen  # numbered as in the app, with the dot
