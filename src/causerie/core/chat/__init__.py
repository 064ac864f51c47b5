"""Talking to an OpenAI-compatible server: the client, its stream format, errors, retries and probes."""
