"""`causerie import FILE`: a ChatGPT export or causerie JSON into the history, idempotently."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from causerie.commands import EXIT_FAILED, EXIT_OK, CommandError, guarded, open_store
from causerie.core.safe_text import sanitize_line

PROGRESS_FROM = 50  # below this many conversations a progress bar is only flicker
SHOW_SKIPPED = 20


@guarded
def run_import(args: argparse.Namespace) -> int:
    """Import, showing progress on a terminal, then report what was imported, present already, or skipped."""
    from causerie.core.attachments.store import AttachmentStore
    from causerie.core.interchange.importers import ImportFailed, import_file

    path = Path(args.file).expanduser()
    store = open_store()
    progress_bar = None
    task = None

    def progress(done: int, total: int) -> None:
        nonlocal progress_bar, task
        if total < PROGRESS_FROM or not sys.stderr.isatty():
            return
        if progress_bar is None:
            from rich.console import Console
            from rich.progress import Progress

            progress_bar = Progress(console=Console(file=sys.stderr), transient=True)
            progress_bar.start()
            task = progress_bar.add_task("Importing", total=total)
        progress_bar.update(task, completed=done)

    try:
        report = import_file(store, path, progress, AttachmentStore(store.data_dir))
    except ImportFailed as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None
    finally:
        if progress_bar is not None:
            progress_bar.stop()
    store.close()
    print(
        f"Imported {len(report.imported)} conversation(s); {report.already_present} already present; "
        f"{len(report.skipped)} skipped."
    )
    for label, reason in report.skipped[:SHOW_SKIPPED]:
        print(f"  skipped {sanitize_line(label)!r}: {sanitize_line(reason)}")
    if len(report.skipped) > SHOW_SKIPPED:
        print(f"  … and {len(report.skipped) - SHOW_SKIPPED} more")
    if report.parts_left_out:
        parts = ", ".join(f"{count} {sanitize_line(what)}" for what, count in sorted(report.parts_left_out.items()))
        print(f"Left out (causerie keeps text only): {parts}.")
    if report.files.stored:
        print(f"Restored {report.files.stored} attached file(s).")
    for reason in report.files.refused[:SHOW_SKIPPED]:
        print(f"causerie: attached file not restored: {sanitize_line(reason)}", file=sys.stderr)
    if report.files_missing:
        print(
            f"causerie: {report.files_missing} attached file(s) are not in this file (export them with "
            "`causerie export -f json --with-attachments`): their messages show them as missing",
            file=sys.stderr,
        )
    for label, reason in report.not_saved:
        print(f"causerie: not saved {sanitize_line(label)!r}: {sanitize_line(reason)}", file=sys.stderr)
    if report.not_saved:
        print(f"causerie: {len(report.not_saved)} conversation(s) could not be saved", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
