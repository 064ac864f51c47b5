"""Full-text search: words in any order, phrases, prefixes, accents folded, CJK by substring, plain snippets."""

from __future__ import annotations

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.fulltext import SearchHit, cut_snippet, plain_text, snippet_pieces, terms
from causerie.core.storage.store import ConversationStore


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


def marked(hit: SearchHit) -> list[str]:
    return [piece for piece, matched in snippet_pieces(hit) if matched]


def test_accents_and_case_are_folded_and_the_message_is_named() -> None:
    s = store()
    target = saved(s, "Job hunting", "Peux-tu relire mon Résumé ?", "Bien sûr, envoie-le.")
    saved(s, "Cooking", "How long to boil an egg?", "About nine minutes.")
    hits = s.search("resume ")
    assert [h.conversation_id for h in hits] == [target.id]
    hit = hits[0]
    assert hit.message_id == target.active_path()[0].id
    assert hit.title == "Job hunting" and hit.updated_at == target.updated_at
    assert hit.snippet == "Peux-tu relire mon Résumé ?"
    assert marked(hit) == ["Résumé"]
    assert s.search("RÉSUMÉ")[0].conversation_id == target.id
    assert [h.conversation_id for h in s.search("creme")] == []
    crème = saved(s, "Dessert", "Une crème brûlée")
    assert [h.conversation_id for h in s.search("creme brulee")] == [crème.id]


def test_words_in_any_order_phrases_and_prefixes() -> None:
    s = store()
    late = saved(s, "Misc", "the train was late again")
    order = saved(s, "Other", "late the train was")
    assert {h.conversation_id for h in s.search("train late ")} == {late.id, order.id}
    assert [h.conversation_id for h in s.search('"train was late"')] == [late.id]
    assert [h.conversation_id for h in s.search("agai*")] == [late.id]
    assert [h.conversation_id for h in s.search("agai")] == [late.id]  # the word being typed is a prefix
    assert s.search("agai ") == []  # a finished word is a word


def test_chinese_and_japanese_are_found_by_substring() -> None:
    s = store()
    tokyo = saved(s, "旅行", "私は東京都に住んでいます。")
    saved(s, "Other", "nothing here")
    for query in ("東京", "京都に", "住んで", "都"):
        hits = s.search(query)
        assert [h.conversation_id for h in hits] == [tokyo.id], query
        assert marked(hits[0]) == [query]


def test_relevance_first_then_the_newest() -> None:
    s = store()
    title = saved(s, "Late train complaints", "hello", updated="2019-01-01T00:00:00.000000Z")
    saved(s, "Unrelated", "nothing to see")
    buried = saved(
        s, "Misc", "A long story " + "and more words " * 40 + "the late train", updated="2030-01-01T00:00:00Z"
    )
    hits = s.search("late train ")
    assert [h.conversation_id for h in hits] == [title.id, buried.id]
    assert hits[0].message_id is None and hits[0].snippet == "Late train complaints"
    assert hits[0].score > hits[1].score
    old = saved(s, "A", "python tips", updated="2020-01-01T00:00:00.000000Z")
    new = saved(s, "B", "python tips", updated="2024-01-01T00:00:00.000000Z")
    assert [h.conversation_id for h in s.search("python tips ")] == [new.id, old.id]
    assert [h.conversation_id for h in s.search("python tips ", limit=1)] == [new.id]


def test_search_sees_saves_renames_deletes_and_undo() -> None:
    s = store()
    conversation = saved(s, "Notes", "first draft")
    assert s.search("zanzibar") == []
    conversation.append(Message(role="user", content="Trip to Zanzibar"))
    s.save(conversation)
    assert [h.conversation_id for h in s.search("zanzibar")] == [conversation.id]
    other = ConversationStore(paths.data_dir())  # another causerie adds one: the same database
    added = saved(other, "Islands", "zanzibar again", updated="2000-01-01T00:00:00.000000Z")
    assert {h.conversation_id for h in s.search("zanzibar")} == {conversation.id, added.id}
    s.rename(added.id, "Pemba and Unguja")
    assert [h.message_id for h in s.search("unguja")] == [None]
    s.delete(conversation.id)
    assert [h.conversation_id for h in s.search("zanzibar")] == [added.id]
    s.undo_delete()
    assert {h.conversation_id for h in s.search("zanzibar")} == {conversation.id, added.id}


def test_every_branch_is_searched() -> None:
    s = store()
    conversation = Conversation(title="T")
    question = conversation.append(Message(role="user", content="question"))
    hidden = conversation.append(Message(role="assistant", content="the first answer: quokka"))
    conversation.append(Message(role="assistant", content="another answer"), parent=question.id)
    s.save(conversation)
    assert hidden.id not in {m.id for m in conversation.active_path()}
    assert [h.message_id for h in s.search("quokka")] == [hidden.id]


def test_queries_fts5_cannot_parse_are_plain_words() -> None:
    s = store()
    code = saved(s, "Code", "call asyncio.sleep(0.1) AND then NOT return")
    for query in ("asyncio.sleep(0.1)", "NOT", "AND", '"unbalanced', "sleep(", "a:b", "(", "*", "NEAR(x y)", "-x"):
        found = [h.conversation_id for h in s.search(query)]  # never an error
        assert found in ([], [code.id]), query
    assert [h.conversation_id for h in s.search("asyncio.sleep(0.1)")] == [code.id]
    assert [h.conversation_id for h in s.search("NOT")] == [code.id]
    assert s.search("   ") == [] and s.search('""') == []


def test_a_query_with_a_lone_surrogate_is_searched_as_u_fffd() -> None:
    s = store()
    # A name decoded with surrogateescape ("caf\xe9" in Latin-1) holds a lone surrogate: SQLite cannot take it.
    café = saved(s, "Menu", "the caf\udce9 menu")
    saved(s, "Other", "a cafeteria")
    assert [h.conversation_id for h in s.search("caf\udce9 menu")] == [café.id]
    assert [h.conversation_id for h in s.search("\ud83d")] == []


def test_snippets_are_plain_text_with_the_words_marked() -> None:
    s = store()
    conversation = saved(
        s, "T", "## Section 1: overview\nThis is **paragraph 1** with `code` and [a link](https://x.y)"
    )
    (hit,) = s.search("paragraph")
    assert hit.message_id == conversation.active_path()[0].id
    assert "**" not in hit.snippet and "##" not in hit.snippet and "`" not in hit.snippet
    assert marked(hit) == ["paragraph"]
    long = "word " * 300 + "needle " + "word " * 300
    saved(s, "Long", long)
    (hit,) = s.search("needle")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…") and len(hit.snippet) < 200


def test_plain_text_and_terms() -> None:
    assert plain_text("# Title\n> quoted\n- item\n1. first\n```py\ncode()\n```") == "Title quoted item first code()"
    assert plain_text("a\x1b[31mred\x02") == "a [31mred"
    assert terms('"late train" asy') == [("late train", False), ("asy", True)]
    assert terms("done* next ") == [("done", True), ("next", False)]
    text, spans = cut_snippet("x" * 200 + "Tokyo 東京 here", ["東京"])
    assert text.startswith("…") and text[spans[0][0] : spans[0][1]] == "東京"
