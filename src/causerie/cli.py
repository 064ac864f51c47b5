"""Command line: `causerie` starts the app; verbs (ask, list, show, export, search, import, doctor, tools, config) run
without it. Imports stay lazy so that `causerie list` never loads Textual or the OpenAI SDK.

Exit codes (every verb): 0 done; 1 failed (data unreadable or unwritable, doctor found problems, bad import file);
2 usage or config error; 3 no usable key or server; 4 the request to the server failed; 5 no such conversation;
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from causerie import __version__

KEY_NOTE = (
    "The API key is never a command-line option (it would show in `ps`): it comes from the environment variable "
    "of the profile (OPENAI_API_KEY for openai), its api_key_command, or the owner-only config file. "
    "Data lives in the user data directory (CAUSERIE_HOME moves it); `causerie config path` prints the config file."
)


def _add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"causerie {__version__}")


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    """--model, --profile, --base-url, --theme (SUPPRESS defaults: a verb's value never erases the global one)."""
    s = argparse.SUPPRESS
    parser.add_argument("--model", "-m", default=s, help="model to use (default: the profile's, or CAUSERIE_MODEL)")
    parser.add_argument(
        "--profile", "-p", default=s, help="endpoint profile: openai, ollama, llamacpp, vllm, lmstudio or your own"
    )
    parser.add_argument("--base-url", default=s, help="an OpenAI-compatible server, e.g. http://localhost:11434/v1")


def _add_control_options(parser: argparse.ArgumentParser) -> None:
    """The request controls of `ask`, over the conversation's and the profile's (checked when the verb runs)."""
    from causerie.core.chat.params import EFFORTS

    controls = parser.add_argument_group("model controls (sent only when given here, in F3 or in the profile)")
    controls.add_argument("--reasoning-effort", choices=EFFORTS, help="how hard a reasoning model thinks")
    controls.add_argument("--temperature", type=float, metavar="T", help="sampling temperature, 0 to 2")
    controls.add_argument("--top-p", type=float, metavar="P", help="nucleus sampling, 0 to 1")
    controls.add_argument("--max-tokens", type=int, metavar="N", help="the most output tokens of the reply")
    controls.add_argument("--seed", type=int, metavar="N", help="seed for repeatable sampling, where supported")
    controls.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an extra request body field (VALUE read as JSON, else as a string), e.g. top_k=40 (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `causerie` and its verbs (the API key is never an argument)."""
    parser = argparse.ArgumentParser(
        prog="causerie",
        description="A keyboard-driven terminal chat client for OpenAI and OpenAI-compatible servers. "
        "Without a verb it opens the app.",
        epilog=KEY_NOTE,
    )
    _add_version(parser)
    _add_endpoint_options(parser)
    parser.add_argument("--theme", default=argparse.SUPPRESS, help="theme name")
    parser.add_argument(
        "-c", "--continue", dest="continue_last", action="store_true", help="open the app on the last conversation"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", title="verbs (causerie VERB --help)")

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=help_text, description=help_text, epilog=KEY_NOTE)
        _add_version(sub)
        return sub

    ask = verb("ask", "Ask once and stream the reply to stdout; piped stdin is attached to the prompt.")
    ask.add_argument("prompt", nargs="*", help="the question (with piped input, what to do with it)")
    ask.add_argument(
        "-c", "--continue", dest="continue_last", action="store_true", help="continue the last conversation"
    )
    ask.add_argument("--system", help="system prompt for this conversation")
    ask.add_argument("--no-stdin", action="store_true", help="do not read standard input even when it is piped")
    ask.add_argument(
        "-a",
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help="attach a file: text goes in as a fenced block, an image as an image (repeatable)",
    )
    _add_endpoint_options(ask)
    _add_control_options(ask)

    opener = verb("open", "Open the app on a saved conversation.")
    opener.add_argument("id", help="conversation id (see `causerie list`)")
    _add_endpoint_options(opener)

    lister = verb("list", "List saved conversations, newest first: id, date, title.")
    lister.add_argument("--json", action="store_true", help="one JSON array of objects")
    lister.add_argument("-n", "--limit", type=int, default=None, help="show at most N conversations")

    show = verb("show", "Print a conversation (the branch shown in the app).")
    show.add_argument("id", help="conversation id")

    export = verb("export", "Export a conversation as Markdown or JSON.")
    export.add_argument("id", help="conversation id")
    export.add_argument("--format", "-f", choices=("md", "json"), default="md", help="md (default) or json")
    export.add_argument("-o", "--output", help="write to this file instead of stdout (refuses to overwrite)")
    export.add_argument(
        "--with-attachments",
        action="store_true",
        help="with --format json: embed the attached files, which `causerie import` restores",
    )

    search = verb("search", "Search all conversations for words.")
    search.add_argument("words", nargs="+", help="words to look for")
    search.add_argument("-n", "--limit", type=int, default=20, help="at most N results (default 20)")
    search.add_argument("--json", action="store_true", help="results as JSON")

    importer = verb("import", "Import a ChatGPT export (conversations.json or its .zip) or causerie JSON.")
    importer.add_argument("file", help="the file to import")

    verb("doctor", "Check the data directory and whether the configured profiles' servers answer.")

    tools = verb("tools", "Start the configured MCP servers, list each one's state and tools, stop them.")
    tools.add_argument("--json", action="store_true", help="the servers and their tools as JSON")

    config = verb("config", "Where the config file is, and a commented example of it.")
    config_verbs = config.add_subparsers(dest="config_verb", metavar="ACTION", required=True)
    init = config_verbs.add_parser("init", help="write a commented config.toml (never overwrites)")
    _add_version(init)
    path = config_verbs.add_parser("path", help="print the config file's path")
    _add_version(path)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `causerie` command."""
    args = build_parser().parse_args(argv)
    verb = args.verb
    try:
        if verb is None or verb == "open":
            from causerie.commands.app import run_app

            return run_app(args)
        if verb == "ask":
            from causerie.commands.ask import run_ask

            return run_ask(args)
        if verb in ("list", "show", "export", "search", "import"):
            from causerie.commands import check_config

            if code := check_config(args):
                return code
        if verb in ("list", "show", "export", "search"):
            from causerie.commands import history

            return getattr(history, f"run_{verb}")(args)
        if verb == "import":
            from causerie.commands.importing import run_import

            return run_import(args)
        if verb == "doctor":
            from causerie.commands.doctor import run_doctor

            return run_doctor(args)
        if verb == "tools":
            from causerie.commands.tools import run_tools

            return run_tools(args)
        from causerie.commands.config import run_config

        return run_config(args)
    except KeyboardInterrupt:
        print("causerie: interrupted", file=sys.stderr)
        return 130
