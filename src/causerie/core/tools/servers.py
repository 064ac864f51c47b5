"""ToolServers: the configured MCP servers, started in the background, listed, called and stopped.

The `mcp` SDK is imported only when the first server starts (in a thread: it takes a while), never at start-up.
Each server runs in one task of its own that holds the SDK's client open until `stop()`; calls are made from any
task. A server that cannot start is reported with its cause and the rest go on without it.
"""

from __future__ import annotations

import asyncio
import importlib
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO, Any

from causerie.core.safe_text import sanitize
from causerie.core.tools.config import ServerConfig
from causerie.core.tools.naming import exposed_name
from causerie.core.tools.results import DEFAULT_MAX_RESULT_CHARS, ToolResult, cut, parse_arguments, result_text

# Environment variables that hold keys causerie uses: never passed to a server, even when its `env` names them.
KEY_VARIABLES = frozenset({"OPENAI_API_KEY"})
STDERR_SHOWN = 600  # characters of a failed server's stderr kept in its error


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: its exposed name (unique), its server, its own name, what it takes."""

    exposed_name: str
    server: str
    tool: str
    description: str
    input_schema: dict[str, Any]

    def to_openai(self) -> dict[str, Any]:
        """The entry of the request's `tools` parameter."""
        return {
            "type": "function",
            "function": {"name": self.exposed_name, "description": self.description, "parameters": self.input_schema},
        }


@dataclass
class ServerStatus:
    """Where a server stands: `disabled`, `starting`, `ready`, `failed` or `stopped`; why it failed; its tools."""

    name: str
    state: str = "starting"
    error: str = ""
    tools: list[ToolSpec] = field(default_factory=list)


@dataclass
class _Running:
    config: ServerConfig
    status: ServerStatus
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    sdk_loaded: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    client: Any = None
    errlog: IO[str] | None = None


def _load_sdk() -> None:
    importlib.import_module("mcp.client.client")


def server_environment(config: ServerConfig, secrets: tuple[str, ...] = ()) -> dict[str, str]:
    """The variables a stdio server gets on top of the SDK's minimal set (HOME, PATH, USER...): its own `env`,
    without any variable named like a key causerie reads or holding one of `secrets` (the keys it holds).
    """
    return {
        name: value
        for name, value in config.env.items()
        if name not in KEY_VARIABLES and not (value and value in secrets)
    }


class ToolServers:
    """The MCP servers of the config: `start()`, `tools()`, `call()`, `stop()`."""

    def __init__(
        self,
        configs: list[ServerConfig] | tuple[ServerConfig, ...],
        *,
        secrets: tuple[str, ...] = (),
        max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
    ) -> None:
        self.max_result_chars = max_result_chars
        self._secrets = tuple(s for s in secrets if s)
        self._servers: dict[str, _Running] = {}
        for config in configs:
            state = "starting" if config.enabled else "disabled"
            self._servers[config.name] = _Running(config, ServerStatus(config.name, state))
        self._by_exposed: dict[str, ToolSpec] = {}
        self._taken: set[str] = set()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def launch(self) -> None:
        """Start every enabled server in the background (no waiting); calling it again does nothing."""
        for running in self._servers.values():
            if running.config.enabled and running.task is None:
                running.task = asyncio.create_task(self._supervise(running), name=f"mcp-{running.config.name}")

    async def start(self) -> list[ServerStatus]:
        """Launch the servers and wait until each is ready or has failed (each within its startup_timeout_sec)."""
        self.launch()
        await asyncio.gather(*(r.ready.wait() for r in self._servers.values() if r.task is not None))
        return self.statuses()

    async def wait(self, timeout: float) -> list[str]:
        """Wait at most `timeout` seconds for servers still starting; the names of those still not ready."""
        self.launch()
        starting = [r for r in self._servers.values() if r.status.state == "starting"]
        if starting:
            waiters = [asyncio.ensure_future(r.ready.wait()) for r in starting]
            await asyncio.wait(waiters, timeout=timeout)
            for waiter in waiters:
                waiter.cancel()
        return [r.config.name for r in self._servers.values() if r.status.state == "starting"]

    async def changed(self) -> None:
        """Return once a server that is starting now is ready or has failed; at once when none is starting.

        A listing that follows the servers (F3) awaits this in a loop and redraws after each return.
        """
        starting = [r for r in self._servers.values() if r.status.state == "starting"]
        if not starting:
            return
        waiters = [asyncio.ensure_future(r.ready.wait()) for r in starting]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def starting(self) -> bool:
        """Whether a server is still starting (or waits to be launched)."""
        return any(r.status.state == "starting" for r in self._servers.values())

    def launched(self) -> bool:
        """Whether `launch()` has run (before it, every enabled server waits to be started)."""
        return any(r.task is not None for r in self._servers.values())

    async def _supervise(self, running: _Running) -> None:
        """Run the server's task; if it is not ready within startup_timeout_sec, report it and end it.

        The time starts once the SDK is imported (the first import takes a second or more, and is causerie's, not
        the server's).
        """
        inner = asyncio.create_task(self._run(running))
        try:
            try:
                loaded = asyncio.ensure_future(running.sdk_loaded.wait())
                await asyncio.wait([loaded, inner], return_when=asyncio.FIRST_COMPLETED)
                loaded.cancel()
                await asyncio.wait_for(asyncio.shield(running.ready.wait()), running.config.startup_timeout_sec)
            except TimeoutError:
                if running.status.state == "starting":
                    self._fail(running, f"did not answer within {running.config.startup_timeout_sec:g} s")
                    inner.cancel()  # the SDK then closes the pipes and ends the process
            await asyncio.gather(inner, return_exceptions=True)
        finally:
            if not inner.done():
                inner.cancel()
                await asyncio.gather(inner, return_exceptions=True)

    async def stop(self) -> None:
        """Stop every server (their processes end) and wait for them."""
        tasks = []
        for running in self._servers.values():
            running.stop.set()  # a ready server leaves its connection cleanly
            if running.task is not None:
                tasks.append(running.task)
                if running.status.state == "starting":
                    running.task.cancel()  # one still starting is not listening for that: end it
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for running in self._servers.values():
            if running.status.state in ("ready", "starting"):
                running.status.state = "stopped"
            running.client = None

    async def _run(self, running: _Running) -> None:
        """The server's own task: connect, list the tools, then hold the connection open until stop()."""
        config = running.config
        try:
            await asyncio.to_thread(_load_sdk)
            running.sdk_loaded.set()
            from mcp.client.client import Client

            if config.url:
                transport: Any = config.url
            else:
                from mcp.client.stdio import StdioServerParameters, stdio_client

                running.errlog = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
                parameters = StdioServerParameters(
                    command=config.command or "",
                    args=list(config.args),
                    env=server_environment(config, self._secrets),
                    cwd=config.cwd,
                    encoding_error_handler="replace",
                )
                transport = stdio_client(parameters, errlog=running.errlog)
            async with Client(transport) as client:
                listed = await client.list_tools()
                running.client = client
                running.status.tools = self._register(config, listed.tools)
                running.status.state = "ready"
                running.ready.set()
                await running.stop.wait()
        except Exception as exc:  # a server's failure is reported, never raised into the app
            if running.status.state in ("starting", "ready"):
                self._fail(running, _cause(exc))
        finally:
            running.client = None
            running.ready.set()
            if running.errlog is not None:
                running.errlog.close()

    def _fail(self, running: _Running, cause: str) -> None:
        stderr = ""
        if running.errlog is not None and not running.errlog.closed:
            try:
                running.errlog.flush()
                running.errlog.seek(0)
                stderr = running.errlog.read()[-STDERR_SHOWN:].strip()
            except (OSError, ValueError):
                stderr = ""
        detail = f"; its stderr: {stderr}" if stderr else ""
        running.status.state = "failed"
        running.status.error = sanitize(f"{cause}{detail}")
        running.status.tools = []
        for name in [n for n, spec in self._by_exposed.items() if spec.server == running.config.name]:
            del self._by_exposed[name]
        running.ready.set()

    def _register(self, config: ServerConfig, tools: list[Any]) -> list[ToolSpec]:
        specs = []
        for tool in tools:
            if not config.offers(tool.name):
                continue
            schema = tool.input_schema if isinstance(tool.input_schema, dict) else {"type": "object"}
            name = exposed_name(config.name, tool.name, self._taken)
            spec = ToolSpec(name, config.name, tool.name, tool.description or "", schema)
            self._by_exposed[name] = spec
            specs.append(spec)
        return specs

    # -- queries -----------------------------------------------------------------------------------------------
    def statuses(self) -> list[ServerStatus]:
        """Every configured server's status, in the config's order."""
        return [r.status for r in self._servers.values()]

    def tools(self) -> list[ToolSpec]:
        """The tools of the servers that are ready, in the config's order."""
        return [spec for r in self._servers.values() if r.status.state == "ready" for spec in r.status.tools]

    def spec(self, exposed: str) -> ToolSpec | None:
        """The tool the model calls `exposed`, if a ready server offers it."""
        return self._by_exposed.get(exposed)

    def is_allowed(self, exposed: str) -> bool:
        """Whether the config lets this tool run without asking (`allow` of its server)."""
        spec = self._by_exposed.get(exposed)
        return spec is not None and spec.tool in self._servers[spec.server].config.allow

    def config_of(self, server: str) -> ServerConfig | None:
        """The config of a server."""
        running = self._servers.get(server)
        return running.config if running is not None else None

    # -- calls -------------------------------------------------------------------------------------------------
    async def call(self, exposed: str, arguments_json: str) -> ToolResult:
        """Run a tool; every failure (unknown tool, bad arguments, error, timeout, dead server) is an error result."""
        started = time.monotonic()

        def error(text: str) -> ToolResult:
            return ToolResult(text, True, time.monotonic() - started)

        spec = self._by_exposed.get(exposed)
        if spec is None:
            return error(f"There is no tool named {exposed!r}.")
        running = self._servers[spec.server]
        if running.client is None or running.status.state != "ready":
            return error(f"The tool server {spec.server!r} is not running.")
        arguments, problem = parse_arguments(arguments_json, spec.input_schema)
        if arguments is None:
            return error(problem)
        timeout = running.config.tool_timeout_sec
        try:
            async with asyncio.timeout(timeout + 1.0):  # the SDK's own timeout first; this one if it hangs anyway
                result = await running.client.call_tool(spec.tool, arguments, read_timeout_seconds=timeout)
        except TimeoutError:
            return error(f"The tool did not answer within {timeout:g} s.")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the model is told, the app goes on
            cause = _cause(exc)
            if "timed out" in cause.lower() or "timeout" in cause.lower():
                return error(f"The tool did not answer within {timeout:g} s.")
            return error(f"The tool failed: {cause}")
        text = cut(result_text(result.content, result.structured_content), self.max_result_chars)
        return ToolResult(text, bool(result.is_error), time.monotonic() - started)


def _cause(exc: BaseException) -> str:
    """A one-line cause of a failure, inside exception groups too."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] == "mcp":
        return "the MCP SDK is not installed (pip install 'causerie[mcp]')"
    if isinstance(exc, FileNotFoundError):
        return f"command not found: {exc.filename or exc}"
    if isinstance(exc, PermissionError):
        return f"command cannot be run: {exc.filename or exc}"
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:300]
