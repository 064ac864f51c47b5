"""Is a server there? Detect local OpenAI-compatible servers and test a connection with `GET /models`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx2

from causerie.core.chat.errors import ChatError, redact

# The usual local servers, on 127.0.0.1 (not "localhost": no IPv6 detour, no resolver).
LOCAL_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("ollama", "http://127.0.0.1:11434/v1"),
    ("llamacpp", "http://127.0.0.1:8080/v1"),
    ("vllm", "http://127.0.0.1:8000/v1"),
    ("lmstudio", "http://127.0.0.1:1234/v1"),
)
DETECT_TIMEOUT = 0.5


@dataclass(frozen=True)
class ProbeResult:
    """What one server said to `GET /models`: ok with its model ids, or the problem in a sentence."""

    base_url: str
    ok: bool
    message: str
    models: list[str] = field(default_factory=list)
    kind: str = ""


async def _get_models(client: httpx2.AsyncClient, base_url: str) -> ProbeResult:
    url = base_url.rstrip("/") + "/models"
    try:
        response = await client.get(url)
    except httpx2.TimeoutException:
        return ProbeResult(base_url, False, f"No answer from {base_url} in time.", kind="timeout")
    except httpx2.HTTPError as exc:
        return ProbeResult(
            base_url, False, f"Nothing answers at {base_url} ({exc.__class__.__name__}).", kind="network"
        )
    if response.status_code != 200:
        return ProbeResult(base_url, False, f"{base_url} answered HTTP {response.status_code}.", kind="server")
    try:
        data = response.json()
        ids = sorted({str(m["id"]) for m in data.get("data", []) if isinstance(m, dict) and m.get("id")})
    except (ValueError, TypeError, AttributeError):
        return ProbeResult(base_url, False, f"{base_url} does not look like an OpenAI-compatible server.", kind="bad")
    return ProbeResult(base_url, True, f"{len(ids)} model(s) available.", ids)


async def detect_servers(candidates: list[str], timeout: float = DETECT_TIMEOUT) -> list[ProbeResult]:
    """Ask each candidate base URL for its models at once, with a short timeout; returns those that answered."""
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(timeout), trust_env=False) as client:
        results = await asyncio.gather(*(_get_models(client, url) for url in candidates))
    return [r for r in results if r.ok]


async def check_connection(
    base_url: str | None, api_key: str | None, *, key_source: str = "", timeout: float = 10.0
) -> ProbeResult:
    """Call `/models` through the chat client (so errors read exactly as in a chat) and report the outcome."""
    from causerie.core.chat.client import ChatClient

    client = ChatClient(
        base_url=base_url, api_key=api_key, read_timeout=timeout, connect_timeout=timeout, key_source=key_source
    )
    where = client.display_url
    try:
        models = await client.list_models()
    except ChatError as error:
        message = redact(error.message, api_key)
        if error.detail:
            message += f" ({redact(error.detail, api_key)})"
        return ProbeResult(where, False, message, kind=error.kind)
    finally:
        await client.close()
    return ProbeResult(where, True, f"Connected to {where}: {len(models)} model(s) available.", models)
