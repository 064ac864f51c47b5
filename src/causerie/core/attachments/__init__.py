"""Attachments: files and images sent with a message, stored once by content under `<data>/attachments/`."""
