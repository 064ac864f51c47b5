"""Two causeries on one data directory: no torn file, no silent last-writer-wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import causerie
from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.conflicts import CONFLICT_SUFFIX
from causerie.core.storage.store import ConversationStore


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def started(s: ConversationStore) -> Conversation:
    conversation = Conversation(title="Shared", model="gpt-6-luna")
    conversation.append(Message(role="user", content="common start"))
    s.save(conversation)
    return conversation


def test_later_save_of_a_changed_file_keeps_both_versions() -> None:
    a, b = store(), store()
    original = started(a)
    mine = a.load(original.id)
    theirs = b.load(original.id)
    theirs.append(Message(role="user", content="written by B"))
    b.save(theirs)
    mine.append(Message(role="user", content="written by A"))
    path = a.save(mine)
    conflicts = a.take_conflicts()
    assert len(conflicts) == 1 and a.take_conflicts() == []
    assert conflicts[0].original_id == original.id and conflicts[0].saved_as == mine.id != original.id
    assert path == conflicts[0].path == a.path_for(mine.id)
    kept_b = store().load(original.id)
    kept_a = store().load(mine.id)
    assert [m.content for m in kept_b.active_path()] == ["common start", "written by B"]
    assert [m.content for m in kept_a.active_path()] == ["common start", "written by A"]
    assert kept_a.title == "Shared" + CONFLICT_SUFFIX
    mine.append(Message(role="user", content="A goes on"))
    a.save(mine)  # the copy is ours now: no new conflict
    assert a.take_conflicts() == []
    b.save(theirs)
    assert b.take_conflicts() == []  # B never saw a change to its own file
    assert {s.id for s in store().list()} == {original.id, mine.id}


def test_no_conflict_when_the_other_side_only_touched_or_we_extend_it() -> None:
    a, b = store(), store()
    conversation = started(a)
    path = a.path_for(conversation.id)
    os.utime(path, ns=(1, 1))  # a sync tool touched it: same bytes
    conversation.append(Message(role="user", content="more"))
    a.save(conversation)
    assert a.take_conflicts() == []
    # B saves a conversation that merely extends what is on disk (it had never loaded it)
    copy = Conversation.from_dict(json.loads(path.read_bytes()))
    copy.append(Message(role="user", content="still more"))
    b.save(copy)
    assert b.take_conflicts() == [] and copy.id == conversation.id


def test_a_hand_edited_or_replaced_file_is_not_overwritten() -> None:
    s = store()
    conversation = started(s)
    path = s.path_for(conversation.id)
    data = json.loads(path.read_bytes())
    data["messages"][0]["content"] = "fixed by hand"
    path.write_text(json.dumps(data))
    hand_edit = path.read_bytes()
    conversation.append(Message(role="user", content="ours"))
    s.save(conversation)
    assert path.read_bytes() == hand_edit
    assert len(s.take_conflicts()) == 1 and conversation.id != path.stem


CHILD = """
import sys
from pathlib import Path
from causerie.core.conversation.models import Message
from causerie.core.storage.store import ConversationStore

data_dir, cid, name, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = ConversationStore(Path(data_dir))
conversation = store.load(cid)
sys.stdout.write("loaded\\n"); sys.stdout.flush()
sys.stdin.readline()  # both processes hold the same version before either writes
for n in range(rounds):
    conversation.append(Message(role="user", content=f"{name} {n} " + "x" * 20000))
    store.save(conversation)
print(conversation.id, len(store.take_conflicts()), flush=True)
"""


def test_two_processes_writing_one_conversation_lose_nothing() -> None:
    conversation = started(store())
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(causerie.__file__).resolve().parent.parent), env.get("PYTHONPATH")])
    )
    rounds = 30
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(paths.data_dir()), conversation.id, name, str(rounds)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline() == "loaded\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [child.communicate(timeout=60)[0].split() for child in children]
    assert all(child.returncode == 0 for child in children)
    final_ids = {name: result[0] for name, result in zip(("alpha", "beta"), results, strict=True)}
    conflicts = sum(int(result[1]) for result in results)
    s = store()
    listed = {x.id for x in s.list()}
    assert s.problems() == []  # no torn file
    assert set(final_ids.values()) <= listed
    assert conflicts == len(listed) - 1 >= 1
    for name, cid in final_ids.items():
        contents = [m.content.split(" ")[:2] for m in s.load(cid).active_path()]
        assert contents[-1] == [name, str(rounds - 1)]
        assert [c for c in contents if c[0] == name] == [[name, str(n)] for n in range(rounds)]
