"""Ships the top-level `migrations/` and `locales/` folders inside the wheel as `bot/migrations`
and `bot/locales` (see bot/resources.py), so an installed bot needs no source folder.

Everything else about the package is declared in pyproject.toml; this file exists because a
mapping of folders onto packages cannot sit beside `packages.find` there.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot*", "handlers*"]), "bot.migrations", "bot.locales"],
    package_dir={"bot.migrations": "migrations", "bot.locales": "locales"},
    package_data={
        "bot.playground": ["static/*"],
        "bot.migrations": ["script.py.mako", "versions/*.py"],
        "bot.locales": ["messages.pot", "*/LC_MESSAGES/*.po", "*/glossary/*.toml"],
    },
)
