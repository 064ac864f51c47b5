"""`causerie config path` and `causerie config init`."""

from __future__ import annotations

import argparse
import sys

from causerie.commands import EXIT_FAILED, EXIT_OK, CommandError, guarded


@guarded
def run_config(args: argparse.Namespace) -> int:
    """Print the config file's path, or write the commented example there."""
    from causerie.core.settings import paths

    path = paths.config_file()
    if args.config_verb == "path":
        print(path)
        return EXIT_OK
    from causerie.core.settings.config_check import ConfigError
    from causerie.core.settings.config_edit import init_config

    try:
        init_config(path)
    except ConfigError as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}", EXIT_FAILED) from None
    print(f"Wrote {path}: every setting is there, commented out, with its default.", file=sys.stderr)
    return EXIT_OK
