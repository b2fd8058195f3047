"""The import command (`python -m loaders.ingest`) called in the test process: the same main()
a child process would run, without the ~1.5 s of starting Python and importing first."""

from __future__ import annotations

from types import SimpleNamespace


def ingest(capsys, argv: list[str]) -> SimpleNamespace:
    """loaders.ingest.main(argv): its exit code and what it printed (returncode, stdout, stderr,
    as a finished process). An exception propagates and fails the test, as a traceback would."""
    from loaders.ingest import main

    capsys.readouterr()  # what the test printed before is not the command's
    returncode = main(argv)
    out = capsys.readouterr()
    return SimpleNamespace(returncode=returncode, stdout=out.out, stderr=out.err)
