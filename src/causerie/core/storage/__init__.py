"""Conversation files (the truth), their index, search, conflicts and listing."""
