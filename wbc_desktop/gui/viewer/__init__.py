"""The image viewer: a zoomable view, overlay layers on top, and hover details; one job per module."""
