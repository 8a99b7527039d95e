"""Benchmarks: speed, memory and cost, measured side by side in one run (`make bench`)."""
