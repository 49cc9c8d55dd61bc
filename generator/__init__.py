"""The portfolio generator: plain-text evidence records in, a cross-referenced static site out."""

__version__ = "0.2.0"
