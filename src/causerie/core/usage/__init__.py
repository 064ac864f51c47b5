"""Prices of models, the cost of a reply and usage reports."""
