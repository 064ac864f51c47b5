"""EarlyListing: the conversations listed by a forked child while the app starts, or nothing (the app lists)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore

# In a fresh interpreter: fork only happens in a process with a single thread, which pytest's may not be.
SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from causerie.core.settings import paths
    from causerie.core.storage import early_list
    from causerie.core.storage.store import ConversationStore

    early_list.MANY_STALE = int(sys.argv[1])
    if sys.argv[2] == "thread":
        threading.Thread(target=threading.Event().wait, args=(5,), daemon=True).start()
    found = early_list.EarlyListing(paths.data_dir()).result()
    if found is None:
        print("none")
    else:
        store = ConversationStore(paths.data_dir())
        same = found[0] == store.list() and found[1] == store.problems()
        print("same" if same else f"different: {found!r}")
    """
)


def early(many_stale: int = 200, thread: bool = False) -> str:
    argv = [sys.executable, "-c", SCRIPT, str(many_stale), "thread" if thread else "-"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def fill(count: int) -> ConversationStore:
    store = ConversationStore(paths.data_dir())
    for n in range(count):
        conversation = Conversation(title=f"Topic {n}")
        conversation.append(Message(role="user", content=f"Question {n}"))
        store.save(conversation)
    (store.conversations_dir / "20200101-000000000-0000bb.json").write_bytes(b"[]")  # reported as a problem
    return store


def test_the_child_lists_what_the_store_lists() -> None:
    fill(5).list()  # index.json written
    assert early() == "same"


def test_many_files_to_parse_are_left_to_the_app_which_shows_progress() -> None:
    fill(5)  # no index.json yet: every file to parse
    assert early(many_stale=3) == "none"
    assert early(many_stale=200) == "same"


def test_no_fork_once_threads_run() -> None:
    fill(2).list()
    assert early(thread=True) == "none"
