"""Reasoning traces: schema, storage, import/export, scoring and generators."""
