"""A turn from prompt to saved reply, shared by the app and the shell verbs."""
