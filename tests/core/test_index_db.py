"""The index database: private, derived, rebuilt when lost or damaged, kept current by every change, shared safely."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import causerie
from causerie.core.conversation.models import Conversation, Message
from causerie.core.interchange.export import export_conversation
from causerie.core.interchange.importers import import_file
from causerie.core.settings import paths
from causerie.core.storage import fulltext
from causerie.core.storage.database import IndexDatabase
from causerie.core.storage.reconcile import reconcile
from causerie.core.storage.store import ConversationStore, encode_conversation


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def saved(s: ConversationStore, title: str, text: str) -> Conversation:
    conversation = Conversation(title=title, model="m")
    conversation.append(Message(role="user", content=text))
    s.save(conversation)
    return conversation


def files_of(s: ConversationStore) -> dict[str, tuple[bytes, int, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in s.conversations_dir.iterdir()}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    source = str(Path(causerie.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return env


def test_one_private_database_in_wal_mode_beside_the_conversations() -> None:
    s = store()
    saved(s, "One", "hello")
    assert s.index_path.parent == s.data_dir
    assert stat.S_IMODE(s.index_path.stat().st_mode) == 0o600
    with sqlite3.connect(s.index_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{s.index_path}{suffix}")
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600


def test_missing_corrupt_foreign_or_other_schema_databases_are_rebuilt_from_untouched_files() -> None:
    s = store()
    first = saved(s, "Crêpes", "une recette de sarrasin")
    second = saved(s, "Bread", "sourdough starter")
    s.close()
    before = files_of(s)

    def damage_other_schema(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")

    def damage_foreign(path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes(x)")

    damages = {
        "missing": lambda path: path.unlink(),
        "garbage": lambda path: path.write_bytes(b"this is not a database" * 100),
        "truncated": lambda path: path.write_bytes(path.read_bytes()[:1000]),
        "other schema": damage_other_schema,
        "foreign": damage_foreign,
    }
    for name, damage in damages.items():
        damage(s.index_path)
        fresh = store()
        assert [x.id for x in fresh.refresh_index()] == [second.id, first.id], name
        assert [h.conversation_id for h in fresh.search("sarrasin")] == [first.id], name
        fresh.close()
        assert files_of(s) == before, name


def test_a_database_damaged_while_open_is_rebuilt_on_the_next_use() -> None:
    s = store()
    conversation = saved(s, "One", "hello there")
    s.index_path.write_bytes(b"\0" * 8192)  # damaged behind an open connection
    for suffix in ("-wal", "-shm"):
        Path(f"{s.index_path}{suffix}").unlink(missing_ok=True)
    other = store()
    assert [x.id for x in other.list()] == [conversation.id]


def test_the_old_summary_index_and_search_cache_are_deleted_once_silently() -> None:
    s = store()
    conversation = saved(s, "One", "hello")
    s.close()
    (s.data_dir / "index.json").write_text('{"schema": "causerie.index"}')
    (s.data_dir / "search").mkdir()
    (s.data_dir / "search" / "text.bin").write_bytes(b"x" * 100)
    (s.data_dir / "search" / "docs.json").write_text("{}")
    fresh = store()
    assert [x.id for x in fresh.list()] == [conversation.id]
    assert not (s.data_dir / "index.json").exists() and not (s.data_dir / "search").exists()
    assert fresh.problems() == []


def test_save_rename_delete_undo_and_import_update_the_index_in_the_same_step(tmp_path: Path) -> None:
    s = store()
    other = store()  # another causerie: it reads the database only, it never looks at the files here
    conversation = saved(s, "One", "first words")
    assert [x.title for x in other.indexed()] == ["One"]
    conversation.append(Message(role="assistant", content="pineapple"))
    s.save(conversation)
    assert [x.message_count for x in other.indexed()] == [2]
    assert [h.conversation_id for h in other.search("pineapple")] == [conversation.id]
    s.rename(conversation.id, "Renamed")
    assert [x.title for x in other.indexed()] == ["Renamed"]
    s.delete(conversation.id)
    assert other.indexed() == [] and other.search("pineapple") == []
    s.undo_delete()
    assert [x.title for x in other.indexed()] == ["Renamed"]
    assert [h.conversation_id for h in other.search("pineapple")] == [conversation.id]
    source = Conversation(title="Imported", model="m")
    source.append(Message(role="user", content="kumquat"))
    exported = tmp_path / "export.json"
    exported.write_text(export_conversation(source, "json"))
    report = import_file(s, exported)
    assert len(report.imported) == 1
    assert {x.title for x in other.indexed()} == {"Renamed", "Imported"}
    assert [h.title for h in other.search("kumquat")] == ["Imported"]


def test_listing_never_indexes_text_and_finds_changes_by_fingerprint() -> None:
    s = store()
    conversation = saved(s, "One", "hello")
    path = s.path_for(conversation.id)
    changed = Conversation.from_dict(conversation.to_dict())
    changed.title = "Edited by hand"
    changed.append(Message(role="user", content="walnut"))
    path.write_bytes(encode_conversation(changed))  # in place: same inode, new size
    fresh = store()
    assert [x.title for x in fresh.list()] == ["Edited by hand"]
    assert fresh.search("walnut") == []  # list() leaves the text for later
    fresh.refresh_index()
    assert [h.conversation_id for h in fresh.search("walnut")] == [conversation.id]


READ_ONLY_CHILD = """
import os, sys
from pathlib import Path
from causerie.core.storage.store import ConversationStore  # imported first: the other user may not read them
if os.getuid() == 0:
    os.setgid(65534); os.setuid(65534)  # root ignores permissions: look at the directory as another user
store = ConversationStore(Path(sys.argv[1]))
print("listed", [s.title for s in store.refresh_index()])
print("found", [h.title for h in store.search("pistachio")])
print("in memory", store.index_location() is None)
"""


def test_a_read_only_data_directory_still_lists_and_searches() -> None:
    top = Path(tempfile.mkdtemp(prefix="causerie-read-only-"))  # under /tmp: another user can reach it
    data = top / "data"
    try:
        s = ConversationStore(data)
        saved(s, "Nuts", "pistachio ice cream")
        saved(s, "Other", "nothing")
        s.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{s.index_path}{suffix}").unlink(missing_ok=True)
        for path in [top, data, s.conversations_dir, *s.conversations_dir.iterdir()]:
            if os.getuid() == 0:
                os.chown(path, 65534, 65534)
            path.chmod(0o500 if path.is_dir() else 0o400)
        result = subprocess.run(
            [sys.executable, "-c", READ_ONLY_CHILD, str(data)],
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
        assert result.returncode == 0, result.stderr
        assert "listed ['Other', 'Nuts']" in result.stdout
        assert "found ['Nuts']" in result.stdout
        assert "in memory True" in result.stdout
        assert not s.index_path.exists()
    finally:
        for path in [top, data, data / "conversations"]:
            if path.exists():
                path.chmod(0o700)
        shutil.rmtree(top)


WRITER = """
import sys
from pathlib import Path
from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore
store = ConversationStore(Path(sys.argv[1]))
for n in range(int(sys.argv[3])):
    conversation = Conversation(title=f"{sys.argv[2]} {n}", model="m")
    conversation.append(Message(role="user", content=f"marmalade {sys.argv[2]}"))
    store.save(conversation)
    store.search("marmalade")
    if n % 10 == 0:
        store.refresh_index()
print("done", flush=True)
"""


def test_two_writers_and_a_reader_at_once_lose_nothing_and_never_fail() -> None:
    data = paths.data_dir()
    store().list()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data), name, "40"],
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    reader = store()
    while any(w.poll() is None for w in writers):
        reader.refresh_index()  # the CLI verb or the app, reconciling meanwhile
        reader.search("marmalade")
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0 and "done" in out, err
        assert "locked" not in err
    fresh = store()
    assert len(fresh.indexed()) == 80
    assert len(fresh.search("marmalade", limit=100)) == 80
    assert len(reader.search("marmalade", limit=100)) == 80


BUILDER = """
import sys
from pathlib import Path
from causerie.core.storage import reconcile
from causerie.core.storage.store import ConversationStore
reconcile.PROGRESS_INTERVAL = 0  # a report after every committed batch, however fast the machine


def progress(done, total):
    print("progress", done, total, flush=True)
    sys.stdin.readline()  # the build stops here, between two batches, until it is killed


store = ConversationStore(Path(sys.argv[1]))
store.refresh_index(progress)
print("built", flush=True)
"""


def test_kill_9_during_a_build_leaves_an_index_that_the_next_start_completes() -> None:
    s = store()
    s.conversations_dir.mkdir(parents=True)
    for n in range(1500):
        conversation = Conversation(id=f"20250101-000000000-{n:06x}", title=f"Number {n}", model="m")
        conversation.append(Message(role="user", content=f"quince {n} " + "filler words " * 50))
        s.path_for(conversation.id).write_bytes(encode_conversation(conversation))
    before = files_of(s)
    child = subprocess.Popen(
        [sys.executable, "-c", BUILDER, str(s.data_dir)],
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and not line.startswith("progress"):
        line = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert line.startswith("progress"), line
    done = int(line.split()[1])
    assert 0 < done < 1500  # killed in the middle
    after = store()
    assert len(after.indexed()) == done  # what was committed is usable at once, and nothing more was
    with sqlite3.connect(s.index_path) as db:  # the build merges deferred: the killed one left them so
        assert merge_settings(db) == {("automerge", 0), ("crisismerge", 64)}
    assert len(after.refresh_index()) == 1500
    assert len(after.search("quince", limit=2000)) == 1500
    with sqlite3.connect(s.index_path) as db:  # and the next build merged them and set FTS5's defaults again
        assert merge_settings(db) == {("automerge", 4), ("crisismerge", 16)}
        for table in ("texts", "grams"):
            assert db.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0] <= 1  # one segment
    assert files_of(s) == before


def merge_settings(db: sqlite3.Connection) -> set[tuple[str, int]]:
    """The merge settings of both FTS5 tables (which must agree)."""
    texts = set(db.execute("SELECT k, v FROM texts_config WHERE k IN ('automerge', 'crisismerge')"))
    grams = set(db.execute("SELECT k, v FROM grams_config WHERE k IN ('automerge', 'crisismerge')"))
    assert texts == grams
    return texts


def test_deferred_merges_give_the_same_search_results() -> None:
    words = "tea biscuits marmalade quince tower town café crème 東京 東京都 大阪 タワー".split()
    root = Path(tempfile.mkdtemp(prefix="causerie-merges-"))
    try:
        folder = root / "conversations"
        folder.mkdir()
        for n in range(250):  # three batches: several segments to merge
            conversation = Conversation(id=f"20250101-000000000-{n:06x}", title=f"Number {n}", model="m")
            for turn in range(3):
                text = " ".join(words[(n * 7 + turn * 3 + k * k) % len(words)] for k in range(5 + n % 9))
                conversation.append(Message(role="user" if turn % 2 == 0 else "assistant", content=text))
            (folder / f"{conversation.id}.json").write_bytes(encode_conversation(conversation))
        results = []
        for deferred in (False, True):
            data = root / ("deferred" if deferred else "as-usual")
            data.mkdir()
            index = IndexDatabase(data)
            if deferred:
                index.defer_merges()
            reconcile(index, folder, with_text=True)
            found = [
                fulltext.search(index.db, query, limit)
                for query in ("tea", "crème", "cafe creme", "tow", '"quince tower"', "東京", "東京都", "東京 tea")
                for limit in (5, 50)
            ]
            assert all(found)
            results.append(found)
            index.close()
        assert results[0] == results[1]
    finally:
        shutil.rmtree(root)
