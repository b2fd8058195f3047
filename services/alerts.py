"""Running the alert rules and the risk score over the stored data with the thresholds in force
(loaders/thresholds.py): storage reads and writes, domain decides; this fills in the thresholds
when the caller passes none.

    python -m services.alerts [--db URL] [--as-of YYYY-MM-DD] [--election ID]
"""

from __future__ import annotations

import argparse
import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from domain.calendar import Election, elections
from domain.filters import Filters
from domain.thresholds import Rules
from loaders.thresholds import load_rules
from storage import alerts_store
from storage.engine import get_engine


def evaluate_and_store(
    engine: Engine,
    election: Election | None = None,
    as_of: dt.date | None = None,
    rules: Rules | None = None,
    actor: str = "system",
) -> dict:
    """storage.alerts_store.evaluate_and_store with the thresholds in force by default."""
    return alerts_store.evaluate_and_store(
        engine, election, as_of, rules=rules or load_rules(), actor=actor
    )


def risk_table(
    engine: Engine, f: Filters, election: Election | None = None, rules: Rules | None = None
) -> pd.DataFrame:
    """storage.alerts_store.risk_table with the thresholds in force by default."""
    return alerts_store.risk_table(engine, f, election, rules or load_rules())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m services.alerts", description="Run the alert rules and store the alerts."
    )
    ap.add_argument("--db")
    ap.add_argument("--as-of", type=dt.date.fromisoformat)
    ap.add_argument("--election", choices=list(elections()))
    args = ap.parse_args(argv)
    election = elections()[args.election] if args.election else None
    print(evaluate_and_store(get_engine(args.db), election, args.as_of, actor="cli"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
