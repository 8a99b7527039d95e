"""CLI adapters, one module per stage: thin wrappers over the pure core."""
