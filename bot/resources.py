"""Where the files panelbot reads at run time live: the Alembic migrations and the catalogues
(gettext messages and glossary).

In the repository they sit at the top level, `migrations/` and `locales/`, where developers
edit them. A built wheel carries them inside the package as `bot/migrations` and `bot/locales`
(the mapping is in setup.py), so an installed bot finds them through its own package and never
needs the source folder. A source checkout or an editable install has no such copies and uses
the top-level folders.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_SOURCE_TREE = Path(__file__).resolve().parents[1]


def resource_dir(name: str) -> Path:
    """The folder `name` ("migrations" or "locales"): the package's copy, else the source's."""
    packaged = files("bot").joinpath(name)
    # Wheels are installed unpacked, so the package's files are real paths (Alembic needs one).
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    source = _SOURCE_TREE / name
    if source.is_dir():
        return source
    raise FileNotFoundError(
        f"panelbot's {name} folder is missing: looked in {packaged} and {source}. "
        "Reinstall panelbot from a wheel or run it from a full source checkout."
    )
