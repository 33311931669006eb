"""Hyperparameter sweeps on Ray Tune: every trial is a real queued training run."""
