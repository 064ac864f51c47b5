"""<think> reasoning split out of content, including tags cut across chunk boundaries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from causerie.core.chat.client import ChatClient, ReasoningDelta, TextDelta
from causerie.core.chat.thinking import ThinkSplitter, split_think
from causerie.testing.fake_openai import FakeOpenAI, Reply


def feed_all(pieces: list[str]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    answer, reasoning = [], []
    for piece in pieces:
        a, r = splitter.feed(piece)
        answer.append(a)
        reasoning.append(r)
    a, r = splitter.flush()
    return "".join(answer) + a, "".join(reasoning) + r


def test_whole_text() -> None:
    assert split_think("<think>hmm, 2+2</think>It is 4.") == ("It is 4.", "hmm, 2+2")
    assert split_think("no tags < here >") == ("no tags < here >", "")


def test_tags_cut_anywhere() -> None:
    text = "<think>plan a</think>Answer <b>bold</b> <thin"
    for cut in range(len(text) + 1):
        assert feed_all([text[:cut], text[cut:]]) == ("Answer <b>bold</b> <thin", "plan a")


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=8))
def test_any_chunking_gives_the_same_split(cuts: list[int]) -> None:
    text = "<think>first thought <x></think>The answer: a < b and c </ d.<think>more</think> end"
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert feed_all(pieces) == split_think(text) == ("The answer: a < b and c </ d. end", "first thought <x>more")


async def test_client_splits_think_tags_from_the_stream(server: FakeOpenAI) -> None:
    server.queue(Reply(chunks=["<th", "ink>Let me", " see.</thi", "nk>", "Paris."]))
    client = ChatClient(base_url=server.base_url, api_key="k")
    events = [e async for e in client.stream([{"role": "user", "content": "q"}], "m")]
    await client.close()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Paris."
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Let me see."
