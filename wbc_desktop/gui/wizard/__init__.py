"""The retraining wizard, its launcher, result page and models dialog."""
