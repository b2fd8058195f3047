"""Where the reference data lives. One place, so tests and scripts agree."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
ELECTIONS = DATA / "elections"
GEO = DATA / "geo"
STATIC_GEO = ROOT / "static" / "geo"  # browser copies, served at /app/static/geo/ (viz/web_geo.py)
LOCAL = DATA / "local"  # git-ignored: embedded database, demo key, generated demo files
