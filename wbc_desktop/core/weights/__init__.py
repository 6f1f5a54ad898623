"""Model files: the shipped models, a project's retrained versions, and the check every file
passes before its tensors are read.

A model is a folder ``<kind>/<name>/{weights.safetensors, card.json}``. ``registry`` finds one by
name or path (shipped ``resources/models``, the user's data folder, a project's active version)
and loads it (torch, imported only when called); ``versions`` keeps a project's versions (add,
activate, roll back, export, import) and ``checks`` vets a file's bytes: safetensors only, whole,
sealed, never unpickled. Data enters as files on disk and leaves as a card dict plus a torch
state dict (``registry.load``) to the segmentation and cells subpackages. It imports ``io`` and
``errors`` only; listing, cards and versions need no torch, so the window's process uses them.
"""
