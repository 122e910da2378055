"""An installed panelbot (a built wheel, not the source folder) finds its migrations, catalogues,
glossary and playground files through its own package, on SQLite and PostgreSQL.

The wheel is installed with `pip install --target` into a folder outside the source, put first on
the path of a subprocess that runs from another folder, so `bot` is the installed copy; its
dependencies come from the test environment. `.ci/installed-package` does the same in a wholly
fresh virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=SOURCE,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        if (SOURCE / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((SOURCE / name).read_bytes())
    dist = tmp_path_factory.mktemp("dist")
    _pip("wheel", "--no-deps", "--wheel-dir", str(dist), str(source))
    return next(dist.glob("panelbot-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    _pip("install", "--no-deps", "--no-compile", "--target", str(target), str(wheel))
    return target


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--quiet", *args],
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_the_wheel_carries_every_file_the_bot_reads_at_run_time(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {
        f"bot/{path.relative_to(SOURCE).as_posix()}"
        for folder, pattern in (("migrations", "**/*.py"), ("locales", "**/*.po"))
        for path in (SOURCE / folder).glob(pattern)
    }
    needed |= {
        f"bot/locales/{path.relative_to(SOURCE / 'locales').as_posix()}"
        for path in (SOURCE / "locales").glob("*/glossary/*.toml")
    }
    needed |= {"bot/migrations/script.py.mako", "bot/playground/static/index.html"}
    assert len(needed) > 25
    assert needed - names == set()


def _run(installed: Path, workdir: Path, database_url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env |= {
        "PYTHONPATH": str(installed),
        "DATABASE_URL": database_url,
        "PANELBOT_DATA_DIR": str(workdir / "data"),
    }
    done = subprocess.run(
        [sys.executable, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_installed_package_migrates_creates_a_panel_and_checks_the_glossary(
    installed: Path, tmp_path: Path, database_url: str
) -> None:
    where = _run(
        installed,
        tmp_path,
        database_url,
        "-c",
        "import bot, bot.db.migrate as m, bot.i18n as i; "
        "print(bot.__file__, m.MIGRATIONS_DIR, i.LOCALES_DIR, sep='\\n')",
    )
    for line in where.splitlines():
        assert Path(line).is_relative_to(installed), where

    assert "the database is up to date" in _run(
        installed, tmp_path, database_url, "-m", "bot", "migrate"
    )
    created = _run(installed, tmp_path, database_url, "-m", "bot", "panel", "create", "Carers")
    assert "Panel 1 created: Carers" in created
    assert "The glossary is valid." in _run(
        installed, tmp_path, database_url, "-m", "bot", "glossary", "check"
    )
    welsh = _run(
        installed,
        tmp_path,
        database_url,
        "-c",
        "from bot.i18n import translator; print(translator('cy').gettext('Back'))",
    )
    assert welsh.strip() == "Yn ôl"  # the catalogue came with the package
