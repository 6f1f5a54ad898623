"""Small networks in plain torch (and torch-geometric for the graph layers)."""
