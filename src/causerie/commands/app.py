"""`causerie`, `causerie -c`, `causerie open ID`: start the full-screen app."""

from __future__ import annotations

import argparse

from causerie.commands import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    error,
    guarded,
    last_conversation_id,
    load_conversation,
    open_store,
)


def app_settings(args: argparse.Namespace):  # noqa: ANN201 - Settings, lazily
    """Settings for the app: a bad config file does not stop it; it starts with defaults and says why."""
    from causerie.commands import cli_overrides
    from causerie.core.settings.config import ConfigError, load_settings
    from causerie.core.settings.config_check import UnsafeConfig

    overrides = cli_overrides(args)
    try:
        return load_settings(overrides)
    except UnsafeConfig as exc:  # a file others can change is not a typo to start past: it is refused
        raise CommandError(str(exc), EXIT_USAGE) from None
    except ConfigError as exc:
        try:
            fallback = load_settings(overrides, use_file=False)
        except ConfigError:
            raise CommandError(str(exc), EXIT_USAGE) from None  # e.g. --profile names no profile at all
        return fallback.with_overrides(config_notice=f"{exc}\nThe config file is ignored: defaults are used.")


@guarded
def run_app(args: argparse.Namespace) -> int:
    """Start the app, on a given or the last conversation if asked."""
    settings = app_settings(args)
    store = open_store()
    open_id = None
    if args.verb == "open":
        open_id = load_conversation(store, args.id).id
    elif args.continue_last and store.list():
        open_id = last_conversation_id(store)

    from causerie.ui.app import CauserieApp

    app = CauserieApp(settings, store, open_id=open_id, offer_setup=True)
    app.run()
    if app.return_code:  # an unexpected exception ended the app; Textual has printed its traceback above
        saved = app.rescue()
        error(f"stopped by an unexpected error (traceback above); {len(saved)} conversation(s) saved")
        return EXIT_FAILED
    return EXIT_OK
