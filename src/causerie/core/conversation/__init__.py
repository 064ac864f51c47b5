"""Conversations and messages: the data model, its migrations, branches, context planning and titles."""
