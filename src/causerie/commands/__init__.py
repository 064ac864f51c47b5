"""The CLI's verbs. Each module imports only what its verb needs (no Textual outside `app`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from causerie.core.settings.config import Settings
    from causerie.core.storage.store import ConversationStore

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_SERVER = 3
EXIT_REQUEST = 4
EXIT_NOT_FOUND = 5
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A verb cannot go on: the message goes to stderr and `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def error(message: str) -> None:
    """Print `causerie: message` to stderr, cleaned: messages quote ids, file names and server errors."""
    from causerie.core.safe_text import sanitize

    print(f"causerie: {sanitize(message)}", file=sys.stderr)


def cli_overrides(args: argparse.Namespace) -> dict[str, str | None]:
    """The settings given on the command line (None where not given)."""
    return {name: getattr(args, name, None) for name in ("model", "base_url", "profile", "theme")}


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from every source; a bad config is a CommandError with exit code 2."""
    from causerie.core.settings.config import ConfigError, load_settings

    try:
        return load_settings(cli_overrides(args))
    except ConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def open_store() -> ConversationStore:
    """The conversation store of the data directory."""
    from causerie.core.settings import paths
    from causerie.core.storage.store import ConversationStore

    return ConversationStore(paths.data_dir())


def load_conversation(store: ConversationStore, conversation_id: str):  # noqa: ANN201 - Conversation, lazily
    """Load a conversation by id; unknown id -> exit 5, unreadable file -> exit 1."""
    from causerie.core.conversation.models import is_valid_id
    from causerie.core.storage.store import StoreError

    if not is_valid_id(conversation_id) or not store.path_for(conversation_id).exists():
        raise CommandError(f"no conversation {conversation_id!r} (see `causerie list`)", EXIT_NOT_FOUND)
    try:
        return store.load(conversation_id)
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None


def last_conversation_id(store: ConversationStore) -> str:
    """The id of the most recently updated conversation; none -> exit 5."""
    summaries = store.list()
    if not summaries:
        raise CommandError("there is no saved conversation to continue", EXIT_NOT_FOUND)
    return summaries[0].id


def guarded(run):  # noqa: ANN001, ANN201 - decorator
    """Turn CommandError into a message on stderr and its exit code."""

    def wrapper(args: argparse.Namespace) -> int:
        from causerie.core.storage.documents import StoreError  # light: the verbs that never touch the store

        try:
            return run(args)
        except CommandError as exc:
            error(str(exc))
            return exc.code
        except StoreError as exc:  # the data directory cannot be read or written: one line, exit 1
            error(str(exc))
            return EXIT_FAILED
        except BrokenPipeError:  # `causerie list | head`: the reader left, nothing to report
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            return EXIT_OK

    wrapper.__doc__ = run.__doc__
    return wrapper


@guarded
def check_config(args: argparse.Namespace) -> int:
    """Exit 2 with the file, line and problem when the config is broken, as every verb promises; else EXIT_OK.

    Verbs that do not need the settings (list, show, export, search, import) call it first: otherwise a config
    with a syntax error went unnoticed there and the same command failed later elsewhere.
    """
    settings_from(args)
    return EXIT_OK
