"""Tools the model can call: MCP servers from the config, the user's approval, one round of calls."""
