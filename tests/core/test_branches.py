"""Versions on the conversation tree: siblings, switching, branching."""

from __future__ import annotations

from causerie.core.conversation.branches import branch, newest_leaf, switch_version, version_position, versions
from causerie.core.conversation.models import Conversation, Message, Usage


def tree() -> tuple[Conversation, dict[str, Message]]:
    """q1 -> a1 -> q2 -> a2, then a regenerated a1' (a sibling of a1) and an edited q2' under a1."""
    c = Conversation()
    q1 = c.append(Message("user", "q1"))
    a1 = c.append(Message("assistant", "a1", usage=Usage(1, 2, 3)))
    q2 = c.append(Message("user", "q2"))
    a2 = c.append(Message("assistant", "a2"))
    q2b = c.append(Message("user", "q2 edited"), parent=a1.id)
    a2b = c.append(Message("assistant", "a2b"))
    a1b = c.append(Message("assistant", "a1 again"), parent=q1.id)
    return c, {"q1": q1, "a1": a1, "q2": q2, "a2": a2, "q2b": q2b, "a2b": a2b, "a1b": a1b}


def test_versions_and_positions() -> None:
    c, m = tree()
    assert [v.content for v in versions(c, m["a1"])] == ["a1", "a1 again"]
    assert version_position(c, m["a1b"]) == (2, 2)
    assert version_position(c, m["q2"]) == (1, 2)
    assert version_position(c, m["q1"]) == (1, 1)


def test_newest_leaf_follows_the_most_recent_message_in_the_subtree() -> None:
    c, m = tree()
    assert newest_leaf(c, m["a1"].id) == m["a2b"].id
    assert newest_leaf(c, m["q2"].id) == m["a2"].id
    assert newest_leaf(c, m["a1b"].id) == m["a1b"].id


def test_switch_version_sets_the_active_leaf() -> None:
    c, m = tree()
    assert c.active_leaf == m["a1b"].id
    shown = switch_version(c, m["a1b"], -1)
    assert shown is m["a1"]
    assert [x.content for x in c.active_path()] == ["q1", "a1", "q2 edited", "a2b"]
    assert switch_version(c, m["a1"], -1) is None  # no older version
    assert switch_version(c, m["q2b"], -1) is m["q2"]
    assert [x.content for x in c.active_path()] == ["q1", "a1", "q2", "a2"]
    assert switch_version(c, m["q2"], +1) is m["q2b"]
    assert switch_version(c, m["q2b"], +1) is None


def test_branch_copies_the_active_path_with_new_ids() -> None:
    c, m = tree()
    c.title = "Original"
    c.system_prompt = "be brief"
    c.context_policy = "trim"
    switch_version(c, m["a1b"], -1)
    copy = branch(c)
    assert copy.id != c.id
    assert copy.title == "Original (branch)"
    assert (copy.system_prompt, copy.context_policy) == ("be brief", "trim")
    assert [x.content for x in copy.active_path()] == ["q1", "a1", "q2 edited", "a2b"]
    assert len(copy.messages) == 4
    assert not {x.id for x in copy.messages} & {x.id for x in c.messages}
    assert copy.active_path()[0].parent is None
    copied_usage = copy.active_path()[1].usage
    assert copied_usage == m["a1"].usage and copied_usage is not m["a1"].usage
    # Round-trips through JSON (parents valid).
    assert Conversation.from_dict(copy.to_dict()).active_path() == copy.active_path()


def test_branch_up_to_a_message() -> None:
    c, m = tree()
    switch_version(c, m["a1b"], -1)
    copy = branch(c, upto=m["a1"].id)
    assert [x.content for x in copy.active_path()] == ["q1", "a1"]
