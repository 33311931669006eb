"""API tokens with scopes, and the audit log of every write."""
