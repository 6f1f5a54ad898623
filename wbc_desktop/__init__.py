"""WBC Desktop: segment, type and review white blood cells in blood-smear images."""

# The one version source: pyproject.toml reads it (dynamic version), so do the window title,
# Help > About, ``wbc-desktop --version``, the self-test and the installer's folder.
__version__ = "0.1.0"
APP_NAME = "WBC Desktop"
