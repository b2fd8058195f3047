"""Run by test_crash.py in a child process: import a file, and signal (then hang) in the middle
of the commit, after the rows are written but before the transaction commits, so the parent can
`kill -9` it there."""

import sys
import time
from pathlib import Path

from loaders.pipeline import import_file
from storage import rollups
from storage.engine import make_engine
from storage.schema import upgrade

url, path, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
real_add = rollups.add


def add_then_hang(*args, **kwargs):
    real_add(*args, **kwargs)
    marker.write_text("in commit")
    time.sleep(600)


rollups.add = add_then_hang
engine = make_engine(url)
upgrade(engine)
import_file(engine, path.read_bytes(), path.name, "presence")
