"""Stage 5 — render: the model and findings → {site path: bytes}, nothing written yet.

Templates see only the model (and the findings); they never read files or raw YAML.
"""
from __future__ import annotations

from .site import render_site

__all__ = ["render_site"]
