"""Screens of causerie: they own workers and wiring."""
