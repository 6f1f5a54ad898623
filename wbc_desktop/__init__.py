"""WBC Desktop: segment, type and review white blood cells in blood-smear images."""

__version__ = "0.1.0"
