"""Evaluations: figures that go into ``training/reports/<topic>/``, on test parts only."""
