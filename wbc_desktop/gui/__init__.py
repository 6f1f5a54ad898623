"""The PySide6 desktop app. Qt lives only here; the compute core underneath knows nothing of it."""
