"""Dockable panels; each owns its widgets and talks to the Document only."""
