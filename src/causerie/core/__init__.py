"""UI-free core of causerie: storage, chat client, context, config. Never imports textual or rich."""
