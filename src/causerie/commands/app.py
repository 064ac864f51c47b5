"""`causerie`, `causerie -c`, `causerie open ID`: start the full-screen app."""

from __future__ import annotations

import argparse

from causerie.commands import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    guarded,
    last_conversation_id,
    load_conversation,
    open_store,
)


def app_settings(args: argparse.Namespace):  # noqa: ANN201 - Settings, lazily
    """Settings for the app: a bad config file does not stop it; it starts with defaults and says why."""
    from causerie.commands import cli_overrides
    from causerie.core.settings.config import ConfigError, load_settings

    overrides = cli_overrides(args)
    try:
        return load_settings(overrides)
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

    CauserieApp(settings, store, open_id=open_id, offer_setup=True).run()
    return EXIT_OK
