"""Test and benchmark helpers shipped with causerie (a loopback OpenAI-compatible server)."""
