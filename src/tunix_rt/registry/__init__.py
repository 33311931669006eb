"""Model registry: families, versions, aliases, and a content-addressed store."""
