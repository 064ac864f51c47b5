"""Search over titles and messages: accent- and case-insensitive, ranked, with the matching message."""

from __future__ import annotations

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.search import normalize, snippet
from causerie.core.storage.store import ConversationStore, SearchHit


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def saved(s: ConversationStore, title: str, *texts: str, updated: str = "") -> Conversation:
    conversation = Conversation(title=title)
    for index, text in enumerate(texts):
        conversation.append(Message(role="user" if index % 2 == 0 else "assistant", content=text))
    if updated:
        conversation.updated_at = updated
    s.save(conversation)
    return conversation


def test_normalize_folds_case_accents_and_whitespace() -> None:
    assert normalize("Résumé  de\nl'ÉTÉ") == "resume de l'ete"
    assert normalize("Straße ﬁnal") == "strasse final"
    assert normalize("ÇA VA") == normalize("ça va") == "ca va"


def test_resume_finds_resume_with_accents_and_the_message() -> None:
    s = store()
    target = saved(s, "Job hunting", "Peux-tu relire mon Résumé ?", "Bien sûr, envoie-le.")
    saved(s, "Cooking", "How long to boil an egg?", "About nine minutes.")
    hits = s.search("resume")
    assert [h.conversation_id for h in hits] == [target.id]
    hit = hits[0]
    assert isinstance(hit, SearchHit)
    assert hit.message_id == target.active_path()[0].id
    assert hit.title == "Job hunting"
    assert "Résumé" in hit.snippet
    assert s.search("RÉSUMÉ")[0].conversation_id == target.id


def test_ranking_title_then_phrase_then_words() -> None:
    s = store()
    words = saved(s, "Misc", "the train was late", "a fast answer", updated="2030-01-01T00:00:00.000000Z")
    spread = saved(s, "Other", "late again", "a fast train", updated="2031-01-01T00:00:00.000000Z")
    phrase = saved(s, "Travel", "Why is the late train always late?", "Because.", updated="2020-01-01T00:00:00Z")
    title = saved(s, "Late train complaints", "hello", updated="2019-01-01T00:00:00.000000Z")
    saved(s, "Unrelated", "nothing to see")
    hits = s.search("late train")
    assert [h.conversation_id for h in hits] == [title.id, phrase.id, words.id, spread.id]
    assert hits[0].message_id is None and hits[0].snippet == "Late train complaints"
    assert hits[1].message_id == phrase.active_path()[0].id
    assert hits[2].message_id == words.active_path()[0].id
    assert hits[0].score > hits[1].score > hits[2].score > hits[3].score


def test_equal_scores_put_newer_first_and_limit_applies() -> None:
    s = store()
    old = saved(s, "A", "python tips", updated="2020-01-01T00:00:00.000000Z")
    new = saved(s, "B", "more python", updated="2024-01-01T00:00:00.000000Z")
    assert [h.conversation_id for h in s.search("python")] == [new.id, old.id]
    assert [h.conversation_id for h in s.search("python", limit=1)] == [new.id]


def test_search_sees_saves_edits_and_deletes() -> None:
    s = store()
    conversation = saved(s, "Notes", "first draft")
    assert s.search("zanzibar") == []
    conversation.append(Message(role="user", content="Trip to Zanzibar"))
    s.save(conversation)
    assert [h.conversation_id for h in s.search("zanzibar")] == [conversation.id]
    other = ConversationStore(paths.data_dir())  # another causerie adds a conversation
    added = saved(other, "Islands", "zanzibar again", updated="2000-01-01T00:00:00.000000Z")
    assert [h.conversation_id for h in s.search("zanzibar")] == [conversation.id, added.id]
    s.delete(conversation.id)
    assert [h.conversation_id for h in s.search("zanzibar")] == [added.id]


def test_empty_query_and_phrase_not_across_messages() -> None:
    s = store()
    saved(s, "T", "ends with alpha", "beta starts here")
    assert s.search("   ") == []
    hits = s.search("alpha beta")
    assert len(hits) == 1 and hits[0].score < 300  # both words, but in two messages: not a phrase


def test_snippet_is_one_line_around_the_match() -> None:
    text = "x" * 200 + "\nLe  Résumé\nest prêt " + "y" * 200
    result = snippet(text, "resume est")
    assert "Résumé est prêt" in result and "\n" not in result
    assert result.startswith("…") and result.endswith("…")
    assert snippet("Plain ASCII words here", "WORDS") == "Plain ASCII words here"
