"""Mask editing tools on the image view: one module per tool, each owning its mouse and keys.

The viewer only routes events to the active tool (:mod:`base`); a finished stroke becomes one
step of the image's review history through ``Document.edit_mask``; :mod:`refresh` redraws what
an edit touched and :mod:`retyper` has the model process type the changed cells again;
:mod:`bar` builds the tool bar and the Edit menu entries.
"""
