"""Files copied into the site as they are: theme assets and entry attachments."""
from __future__ import annotations

from pathlib import Path

from . import paths
from .environment import theme_dirs


def site_copies(model, redactor=None) -> dict[str, Path]:
    """Site path -> source file. A learner's theme asset replaces the default one at the same path;
    `redactor` cuts hidden names from attachments' file names."""
    copies: dict[str, Path] = {}
    for theme in reversed(theme_dirs(model)):
        static = theme / "static"
        if static.is_dir():
            for f in sorted(static.rglob("*")):
                if f.is_file():
                    copies["assets/" + f.relative_to(static).as_posix()] = f
    for entry in model.entries:
        for i, att in enumerate(entry.attachments):
            copies[paths.attachment(entry, i, att, redactor)] = model.root / att.path
    return copies
