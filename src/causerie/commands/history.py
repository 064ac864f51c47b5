"""`causerie list`, `show`, `export`, `search`: the saved history, without the app."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from causerie.commands import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    guarded,
    load_conversation,
    open_store,
    settings_from,
)
from causerie.core.conversation.fields import shown_time
from causerie.core.safe_text import json_for_terminal, sanitize, sanitize_line


def _date(iso: str) -> str:
    """`2026-11-26 14:05` from an ISO timestamp (UTC); nothing for a stored time that is not one."""
    return shown_time(iso)


def _costs(stored: str) -> dict:
    """`cost` (dollars, or null when no reply has a known cost) and `cost_by_effort` (where an effort was set)."""
    try:
        costs = json.loads(stored)
    except ValueError:
        costs = {}
    by_effort = costs.get("by_effort") if isinstance(costs, dict) else None
    return {
        "cost": costs.get("cost") if isinstance(costs, dict) else None,
        "cost_by_effort": by_effort if isinstance(by_effort, dict) else {},
    }


@guarded
def run_list(args: argparse.Namespace) -> int:
    """List conversations: id, date, title (tab-separated), or JSON."""
    store = open_store()
    summaries = store.list(_progress_line())
    _clear_progress_line()
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
                **_costs(s.costs),
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

        from causerie.ui.widgets.markdown_elements import TerminalMarkdown

        Console().print(TerminalMarkdown(text, math=_render_math(args)))
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _render_math(args: argparse.Namespace) -> bool:
    """The `render_math` setting; a config that does not load does not stop `show` (formulas are then rendered)."""
    try:
        return settings_from(args).render_math
    except CommandError:
        return True


@guarded
def run_export(args: argparse.Namespace) -> int:
    """Export a conversation to stdout or to a new file."""
    from causerie.core.interchange.export import export_conversation
    from causerie.core.storage.fileio import atomic_write_text

    if args.with_attachments and args.format != "json":
        raise CommandError("--with-attachments needs --format json (Markdown only lists the files)", EXIT_USAGE)
    store = open_store()
    conversation = load_conversation(store, args.id)
    carried = _carried_files(conversation, store.data_dir) if args.with_attachments else None
    text = export_conversation(conversation, args.format, carried)
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


def _carried_files(conversation, data_dir: Path) -> dict[str, str]:  # noqa: ANN001 - a Conversation
    """The attached files to embed; a file the store no longer has is named on stderr (the export goes on)."""
    from causerie.core.attachments.store import AttachmentStore
    from causerie.core.interchange.carried_files import collect

    carried, missing = collect(conversation, AttachmentStore(data_dir))
    for digest in missing:
        names = {a.name for m in conversation.messages for a in m.attachments if a.sha256 == digest}
        shown = ", ".join(sorted(sanitize_line(n) for n in names))
        print(f"causerie: attached file not in the store, not embedded: {shown} ({digest[:12]}…)", file=sys.stderr)
    return carried


@guarded
def run_search(args: argparse.Namespace) -> int:
    """Search conversations; each hit: id, date, title, and the matching words in context."""
    store = open_store()
    store.refresh_index(_progress_line())
    _clear_progress_line()
    query = " ".join(args.words)
    hits = store.search(query, args.limit)
    if args.json:
        rows = [
            {
                "id": h.conversation_id,
                "title": h.title,
                "updated_at": h.updated_at,
                "message_id": h.message_id or "",
                "snippet": h.snippet,
                "highlights": [list(span) for span in h.highlights],
            }
            for h in hits
        ]
        print(json_for_terminal(json.dumps(rows, ensure_ascii=False, indent=1)))
    elif not hits:
        print(f"No conversation matches {sanitize_line(query)!r}.", file=sys.stderr)
    elif sys.stdout.isatty():
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False)
        for hit in hits:
            console.print(
                Text.assemble(
                    (hit.conversation_id, "dim"), "  ", _date(hit.updated_at), "  ", (sanitize_line(hit.title), "bold")
                )
            )
            if hit.snippet:
                console.print(Text("    ").append_text(_marked(hit)))
    else:
        for hit in hits:
            print(f"{hit.conversation_id}\t{_date(hit.updated_at)}\t{sanitize_line(hit.title)}")
            if hit.snippet:
                print(f"    {sanitize_line(hit.snippet)}")
    return EXIT_OK


def _marked(hit):  # noqa: ANN001, ANN202 - a SearchHit in, a rich.text.Text out (both imported lazily)
    """The snippet as Rich text, the matched words in bold (each piece cleaned on its own: offsets stay right)."""
    from rich.text import Text

    from causerie.core.storage.fulltext import snippet_pieces

    text = Text(style="dim")
    for piece, matched in snippet_pieces(hit):
        text.append(sanitize_line(piece), style="bold reverse" if matched else "")
    return text


def _progress_line():  # noqa: ANN202
    """A progress(done, total) that writes one updated line on stderr while the index is being built."""
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"\rIndexing conversations: {done:,} / {total:,}")
        sys.stderr.flush()

    return progress


def _clear_progress_line() -> None:
    if sys.stderr.isatty():  # spaces over the line, not an escape sequence (stderr may be anything that echoes)
        sys.stderr.write("\r" + " " * 60 + "\r")
        sys.stderr.flush()
