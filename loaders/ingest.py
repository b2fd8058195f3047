"""Command line import, the same path as the upload page:

    python -m loaders.ingest {presence,incidents,crossings} FILE [--profile PATH.toml] [--db URL] [--partial] [--json] [--lang id|en]

Exit 0 when every row was imported (or the file had been imported before), 1 when some rows
were rejected (with --partial the valid ones are imported), 2 when the file was rejected and
nothing was imported, or when nothing could be imported at all (NTB_MODE=production without the
pseudonym key: one line on stderr, no traceback). Without --partial the import is all or nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from i18n import t
from loaders.columns import KINDS
from loaders.errors import ImportRejected
from loaders.pipeline import error_message, import_file
from loaders.profiles import parse
from loaders.pseudonym import KEY_ENV, MissingKey, key
from storage.engine import get_engine
from storage.schema import upgrade

log = logging.getLogger("ntb.ingest")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m loaders.ingest", description=__doc__.splitlines()[0]
    )
    ap.add_argument("kind", choices=KINDS)
    ap.add_argument("file", type=Path)
    ap.add_argument(
        "--profile", type=Path, help="a column-mapping profile (TOML, loaders/profiles.py)"
    )
    ap.add_argument(
        "--db", help="SQLAlchemy URL (default: NTB_DB_URL, else the embedded SQLite file)"
    )
    ap.add_argument(
        "--partial", action="store_true", help="import the valid rows even when some are rejected"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--lang", choices=("id", "en"), default="id")
    ap.add_argument("--user", default="cli")
    args = ap.parse_args(argv)

    try:
        key()  # before anything is read or written: production without a key imports nothing
    except MissingKey:
        print(t("errors.production_no_key", args.lang, env=KEY_ENV), file=sys.stderr)
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(
            t(
                "errors.cannot_open",
                args.lang,
                file=str(args.file),
                reason=exc.strerror or str(exc),
            ),
            file=sys.stderr,
        )
        return 2
    profile = None
    if args.profile is not None:
        try:
            profile = parse(args.profile.read_text(encoding="utf-8"), args.profile.stem)
        except OSError as exc:
            print(
                t(
                    "errors.cannot_open",
                    args.lang,
                    file=str(args.profile),
                    reason=exc.strerror or str(exc),
                ),
                file=sys.stderr,
            )
            return 2
        except (ImportRejected, UnicodeDecodeError) as exc:
            reason = exc.message(args.lang) if isinstance(exc, ImportRejected) else str(exc)
            print(reason, file=sys.stderr)
            return 2
    engine = get_engine(args.db)
    upgrade(engine)
    res = import_file(
        engine,
        data,
        args.file.name,
        args.kind,
        mode="partial" if args.partial else "all_or_nothing",
        user=args.user,
        profile=profile,
    )
    # Only counts in the log: values may hold personal data.
    log.info(
        "import %s %s: status=%s read=%d imported=%d rejected=%d",
        args.kind,
        args.file.name,
        res.status,
        res.rows_read,
        res.rows_imported,
        res.rows_rejected,
    )
    if args.json:
        print(json.dumps(res.to_json(args.lang), ensure_ascii=False, default=str))
    else:
        print(res.summary(args.lang))
        for e in res.errors:
            print(
                f"  {t('upload.line', args.lang)} {e.line}  {e.header or e.column}  {e.value!r}: {error_message(e, args.lang)}"
            )
    return res.exit_code


if __name__ == "__main__":
    sys.exit(main())
