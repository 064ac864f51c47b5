"""Command line: parse arguments into Settings and start the app."""

from __future__ import annotations

import argparse
import sys

from causerie import __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `causerie` (the API key is never an argument: it would show in `ps`)."""
    parser = argparse.ArgumentParser(
        prog="causerie",
        description="A keyboard-driven terminal chat client for OpenAI and OpenAI-compatible servers.",
        epilog="The API key is read from the OPENAI_API_KEY environment variable. "
        "Data lives in the user data directory (CAUSERIE_HOME moves it).",
    )
    parser.add_argument("--version", action="version", version=f"causerie {__version__}")
    parser.add_argument("--model", "-m", help="model to use (default: gpt-6-luna, or CAUSERIE_MODEL)")
    parser.add_argument("--base-url", help="an OpenAI-compatible server, e.g. http://localhost:11434/v1 for Ollama")
    parser.add_argument("--profile", "-p", help="a profile from the config file (openai, ollama, llamacpp, vllm, ...)")
    parser.add_argument("--theme", help="theme name")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `causerie` command."""
    args = build_parser().parse_args(argv)

    from causerie.core.config import ConfigError, load_settings

    try:
        settings = load_settings(
            {"model": args.model, "base_url": args.base_url, "profile": args.profile, "theme": args.theme}
        )
    except ConfigError as exc:
        print(f"causerie: {exc}", file=sys.stderr)
        return 2

    from causerie.ui.app import CauserieApp

    CauserieApp(settings).run()
    return 0
