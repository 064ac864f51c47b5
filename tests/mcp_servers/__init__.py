"""Small MCP servers written with the official SDK, run as real processes by the tests."""

from pathlib import Path

WEATHER = str(Path(__file__).with_name("weather.py"))
"""The weather server's script (its own docstring says what its tools and flags do)."""
