"""Widgets of causerie: they post intent and never touch storage or the network."""
