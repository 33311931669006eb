"""Datasets: immutable versioned builds, manifests, rendering, exports and eval sets."""
