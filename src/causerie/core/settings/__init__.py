"""Paths, config.toml (read, checked, edited), API keys and theme files."""
