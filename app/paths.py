"""Where the project's non-Python files live.

The app runs from its source tree (editable install, or the Docker image's /app), so
templates, static files and migrations are found next to the package.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
MIGRATIONS = ROOT / "migrations"
ALEMBIC_INI = ROOT / "alembic.ini"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
