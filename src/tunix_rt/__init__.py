"""Tunix RT: a workbench for teaching language models to show their work."""

__version__ = "0.1.0"
