"""The ``tunix-rt`` command line."""
