"""The project in the app: session (open project bound to the Document) and its File menu."""
