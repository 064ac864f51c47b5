"""Textual user interface of causerie."""
