"""The Tunix submission package: one content-addressed zip of a finished run (docs/package.md)."""
