"""The compute core: no Qt here (checked by import-linter), so CLI, GUI, batch and tests share it."""
