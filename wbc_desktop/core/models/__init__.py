"""Network definitions in plain torch (no torchvision), built from a card's settings."""
