"""Training: run config, tiny models, data encoding, the PyTorch recipe and generation."""
