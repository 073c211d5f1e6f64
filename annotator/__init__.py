"""Annotator: an offline desktop annotation desk for analysts."""

__version__ = "0.1.0"
