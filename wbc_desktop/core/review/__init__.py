"""The person's review, kept apart from the model's output: retyped cells, signatures, the undo
history, the counts and the cells a person should look at first.

Data enters as an :class:`~wbc_desktop.core.analysis.Analysis` (the model's cells) plus what a
person decided (``store``: the review record and its sidecar; ``history``: undoable steps) and
leaves as the person's types on the cells and ``counts`` over a batch; ``doubt`` orders the cells
by how unsure the model was. The rules of a review session the window used to hold are here too:
``shown`` (which type a cell shows: the threshold, the person's type over the model's; the model's
masks kept for "revert"), ``session`` (revision counters that tell a stale retype answer, retype
batching) and ``save_book`` (what needs no write).

Mask corrections are ``editing`` (above this package: an edit is one step of this ``History``);
the tables a lab keeps are ``export``; the project folder that keeps all of it is ``project``.

No torch: the window's process uses all of it (a forbidden contract). It may use ``io`` and
``analysis``, never a network, and nothing above it (editing, project, pipeline).
"""
