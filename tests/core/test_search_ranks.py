"""Search ranking: a limit gives the first hits of a longer list, whatever the ties between equal ranks."""

from __future__ import annotations

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
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
