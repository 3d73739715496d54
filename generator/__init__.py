"""Kennisbank: a static site generator for an editorial knowledge base."""

__version__ = "0.1.0"
