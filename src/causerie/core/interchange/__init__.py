"""Export to Markdown and JSON, and import from ChatGPT and causerie's own JSON."""
