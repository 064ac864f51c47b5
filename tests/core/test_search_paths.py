"""Search paths: a limit gives the first hits of a longer list; line markers and rules removed on every line."""

from __future__ import annotations

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.fulltext import plain_text
from causerie.core.storage.store import ConversationStore


def saved(s: ConversationStore, title: str, text: str, updated: str) -> Conversation:
    conversation = Conversation(title=title)
    conversation.append(Message(role="user", content=text))
    conversation.append(Message(role="assistant", content="Noted, nothing more to say."))
    conversation.updated_at = updated
    s.save(conversation)
    return conversation


def test_a_limit_keeps_the_best_conversations_of_the_whole_ranking() -> None:
    s = ConversationStore(paths.data_dir())
    saved_ids = []
    for day in range(1, 29):
        # Equal texts rank equal (ordered by date then); a few texts rank higher or lower.
        text = "tea " * (1 + day % 3) + "and biscuits, day " + str(day)
        saved_ids.append(saved(s, f"Day {day}", text, f"2026-02-{day:02d}T10:00:00Z").id)
    everything = s.search("tea")
    assert {hit.conversation_id for hit in everything} == set(saved_ids)
    for limit in (1, 2, 5, 9, 10, 11, 27):
        assert s.search("tea", limit=limit) == everything[:limit]
    assert s.search("tea", limit=0) == []
    assert s.search("tea", limit=-1) == everything[:-1]  # as a slice, like `causerie search -n -1` always did
    ranks = [round(hit.score, 6) for hit in everything]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == 3
    for rank in set(ranks):  # equal ranks: the newest first
        dates = [hit.updated_at for hit in everything if round(hit.score, 6) == rank]
        assert dates == sorted(dates, reverse=True)


def test_snippet_words_are_folded_between_ascii_words() -> None:
    s = ConversationStore(paths.data_dir())
    text = "Plain words, then Crème BRÛLÉE and ÉCOLE, then more Plain words and a Straße at the end"
    saved(s, "Mixed", text, "2026-02-01T10:00:00Z")
    for query, found in (("creme", "Crème"), ("brulee", "BRÛLÉE"), ("ecole", "ÉCOLE"), ("PLAIN", "Plain")):
        hit = s.search(query + " ")[0]
        assert [hit.snippet[a:b] for a, b in hit.highlights][0] == found


def test_markers_are_removed_at_the_start_of_every_line_and_rules_go() -> None:
    text = (
        "# Title\n## Sub\n- item\n  * nested\n1. one\n2) two\n> quote\n- [x] done\nplain - not a list\n"
        "---\n***\n| a | b |\n|---|:-:|\n| 1 | 2 |"
    )
    assert plain_text(text) == "Title Sub item nested one two quote done plain - not a list | a | b | | 1 | 2 |"
    assert plain_text("\n\n  # late heading") == "late heading"
    assert plain_text("x\n-\n-\n-\ny") == "x y"  # a rule may span lines (\s holds the newline)
    assert plain_text("a_b_c and 5 - 3 - 1, - - no rule here") == "a_b_c and 5 - 3 - 1, - - no rule here"
    assert plain_text("> quoted\r\n> again") == "quoted again"
    assert plain_text("> quoted\r> again") == "quoted > again"  # a lone carriage return starts no line
