"""Regression gates: named baselines and checks of runs against them."""
