"""The project carries its own documents: no tracked file may send a reader (or the code) to the
`shared` folder beside the repository, which a person who clones the repository does not have.
The facts are in docs/domain-facts.md, the upload contract in docs/upload-contract.md.

Allowed: scripts/ (build_boundaries.py reads the source boundaries from that folder) and
data/geo/PROVENANCE.md (the provenance record of those boundaries, kept as written)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_DIRS = ("scripts/",)
ALLOWED_FILES = {"data/geo/PROVENANCE.md"}
NEEDLE = b"shared" + b"/"  # in two parts, so that this file does not name it


def files_naming_shared() -> list[str]:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    found = []
    for name in tracked.decode().split("\0"):
        if not name or name.startswith(ALLOWED_DIRS) or name in ALLOWED_FILES:
            continue
        path = ROOT / name
        if path.is_file() and NEEDLE in path.read_bytes():
            found.append(name)
    return found


def test_no_tracked_file_names_shared():
    found = files_naming_shared()
    assert found == [], "tracked files that name the folder beside the repository: " + ", ".join(
        found
    )
