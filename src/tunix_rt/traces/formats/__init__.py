"""Traces from elsewhere: chat logs, GSM8K-shaped pairs, Hugging Face datasets and OTLP spans.

Every format maps its records onto the trace format and goes through the one import pipeline
(``traces.importer.import_parsed``). docs/interop.md, "Traces in", has each mapping.
"""
