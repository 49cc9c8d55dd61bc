"""Where the data shipped with the generator lives: the default theme and the qualification frameworks.

In the repository they sit at the top (`themes/default/`, `criteria/`: the layout is the product's face).
A wheel carries them inside the package, as `generator/data/themes/default/` and
`generator/data/criteria/` (pyproject.toml maps the folders at build time), so a normal install
builds a folder that holds only records. A source checkout or an editable install has no such copy and
reads the repository's folders.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGED = Path(str(resources.files(__package__))) / "data"
_CHECKOUT = Path(__file__).resolve().parents[1]


def _folder(*parts: str) -> Path:
    packaged = _PACKAGED.joinpath(*parts)
    return packaged if packaged.is_dir() else _CHECKOUT.joinpath(*parts)


def default_theme() -> Path:
    """The default theme's folder (templates/ and static/)."""
    return _folder("themes", "default")


def criteria() -> Path:
    """The folder of the shipped frameworks, one YAML file each."""
    return _folder("criteria")


def framework_ids() -> list[str]:
    """The ids (file names without .yaml) of the shipped frameworks."""
    return sorted(p.stem for p in criteria().glob("*.yaml"))
