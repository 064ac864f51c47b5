"""`causerie list`, `show`, `export`, `search`: the saved history, without the app."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from causerie.commands import EXIT_FAILED, EXIT_OK, CommandError, guarded, load_conversation, open_store
from causerie.core.safe_text import json_for_terminal, sanitize, sanitize_line


def _date(iso: str) -> str:
    """`2026-11-26 14:05` from an ISO timestamp (UTC)."""
    return iso[:16].replace("T", " ") if iso else ""


@guarded
def run_list(args: argparse.Namespace) -> int:
    """List conversations: id, date, title (tab-separated), or JSON."""
    store = open_store()
    summaries = store.list()
    if args.limit is not None:
        summaries = summaries[: max(0, args.limit)]
    if args.json:
        rows = [
            {
                "id": s.id,
                "title": s.title,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
                "model": s.model,
                "messages": s.message_count,
            }
            for s in summaries
        ]
        print(json_for_terminal(json.dumps(rows, ensure_ascii=False, indent=1)))
    else:
        for s in summaries:
            print(f"{s.id}\t{_date(s.updated_at)}\t{sanitize_line(s.title)}")
    for problem in store.problems():
        print(f"causerie: skipped {sanitize_line(problem.path.name)}: {sanitize(problem.reason)}", file=sys.stderr)
    return EXIT_OK


@guarded
def run_show(args: argparse.Namespace) -> int:
    """Print a conversation as Markdown (rendered when stdout is a terminal)."""
    from causerie.core.interchange.export import conversation_to_markdown

    conversation = load_conversation(open_store(), args.id)
    text = sanitize(conversation_to_markdown(conversation))
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text, hyperlinks=False))  # a link shows its target, never a disguised OSC 8
    else:
        sys.stdout.write(text)
    return EXIT_OK


@guarded
def run_export(args: argparse.Namespace) -> int:
    """Export a conversation to stdout or to a new file."""
    from causerie.core.interchange.export import export_conversation
    from causerie.core.storage.fileio import atomic_write_text

    conversation = load_conversation(open_store(), args.id)
    text = export_conversation(conversation, args.format)
    if not args.output or args.output == "-":
        # JSON escapes are lossless, so they always apply; Markdown is cleaned only for a terminal (a pipe gets data).
        if args.format == "json":
            text = json_for_terminal(text)
        elif sys.stdout.isatty():
            text = sanitize(text)
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(args.output).expanduser()
    if os.path.lexists(target):
        raise CommandError(f"{target} already exists: not overwritten", EXIT_FAILED)
    try:
        atomic_write_text(target, text, 0o600)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}", EXIT_FAILED) from None
    print(f"Exported {conversation.id} to {sanitize_line(str(target))}", file=sys.stderr)
    return EXIT_OK


@guarded
def run_search(args: argparse.Namespace) -> int:
    """Search conversations; each hit: id, title, and the matching words in context."""
    store = open_store()
    query = " ".join(args.words)
    hits = _search(store, query, args.limit)
    if args.json:
        print(json_for_terminal(json.dumps(hits, ensure_ascii=False, indent=1)))
    elif not hits:
        print(f"No conversation matches {sanitize_line(query)!r}.", file=sys.stderr)
    else:
        for hit in hits:
            print(f"{hit['id']}\t{sanitize_line(hit['title'])}")
            if hit["snippet"]:
                print(f"    {sanitize_line(hit['snippet'])}")
    return EXIT_OK


def _search(store, query: str, limit: int) -> list[dict[str, str]]:  # noqa: ANN001
    """The store's ranked search, as plain dicts."""
    return [
        {"id": h.conversation_id, "title": h.title, "snippet": h.snippet, "message_id": h.message_id or ""}
        for h in store.search(query, limit)
    ]
