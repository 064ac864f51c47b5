"""The one place settings become a chat client and an engine, for the app and the shell verbs alike."""

from __future__ import annotations

from collections.abc import Callable

from causerie.core.chat.client import ChatClient
from causerie.core.chat.refusals import Refusals
from causerie.core.chat.retry import RetryPolicy
from causerie.core.engine.engine import Engine
from causerie.core.engine.saving import SaveQueue
from causerie.core.engine.tool_step import Tools
from causerie.core.settings import paths
from causerie.core.settings.config import Settings
from causerie.core.tools.approval import Approver, ToolPolicy
from causerie.core.tools.servers import ToolServers
from causerie.core.usage.pricing import PriceTable, shipped_prices


def make_client(settings: Settings) -> ChatClient | None:
    """The chat client for these settings, or None when nothing can be sent (no key, no server)."""
    if not settings.can_send:
        return None
    return ChatClient(
        base_url=settings.base_url,
        api_key=settings.api_key,
        read_timeout=settings.read_timeout,
        max_retries=0,  # causerie decides what to retry (the engine's RetryPolicy), never the SDK
        stream_options=settings.stream_options,
        key_source=settings.api_key_source,
        max_tokens_param=settings.max_tokens_param,
    )


def price_table(settings: Settings) -> PriceTable:
    """The shipped prices with the user's `[prices]` on top (the shipped ones alone if those are malformed)."""
    try:
        return shipped_prices().with_overrides(settings.prices)
    except ValueError:
        return shipped_prices()


def make_tools(settings: Settings, approver: Approver) -> Tools | None:
    """The MCP servers of the config (not started: `servers.launch()` starts them), or None without any."""
    configs = [config for config in settings.tool_servers if config.enabled]
    if not configs:
        return None
    # The servers switched off in the config are kept (never started) so that F3 lists them as such.
    servers = ToolServers(settings.tool_servers, secrets=tuple(s for s in (settings.api_key,) if s))
    wait = max(config.startup_timeout_sec for config in configs)
    policy = ToolPolicy(servers, config_path=settings.config_path)
    return Tools(servers, approver, policy, max_rounds=settings.max_tool_rounds, wait_timeout=wait)


def make_engine(
    settings: Settings,
    client: ChatClient,
    saves: SaveQueue,
    *,
    pause: Callable[[], float] | None = None,
    approver: Approver | None = None,
) -> Engine:
    """An engine with the settings' retry bound, prices, whether the server is local (free), its tools, the
    profile's request controls and the parameters its server refused before (remembered in the data directory)."""
    return Engine(
        client,
        saves,
        prices=price_table(settings),
        local=settings.local,
        retry_policy=RetryPolicy(attempts=max(0, settings.max_retries)),
        pause=pause,
        tools=make_tools(settings, approver) if approver is not None else None,
        profile=settings.profile,
        defaults=settings.params,
        refusals=Refusals.in_data_dir(paths.data_dir()),
    )
