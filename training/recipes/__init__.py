"""Recipes that build what ships in ``resources/models``: each writes its model card and its report
(see training/README.md for the command of each shipped model)."""
