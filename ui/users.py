"""Manage local accounts from the command line (admin's tool on the server):

python -m ui.users add NAME --role {viewer,analyst,admin} [--office OFFICE_ID] [--password-stdin] [--db URL]
python -m ui.users office NAME OFFICE_ID   (limit NAME to that office's working area; "ntb": the province)
python -m ui.users passwd NAME [--password-stdin]
python -m ui.users disable NAME | enable NAME
python -m ui.users unlock NAME     (clear the sign-in delays every client has on NAME)
python -m ui.users list
"""

from __future__ import annotations

import argparse
import getpass
import sys

from domain.regions import offices
from domain.roles import ROLES
from domain.scope import PROVINCE_KEY
from storage.engine import get_engine
from storage.schema import upgrade
from storage.users import (
    UserError,
    add_user,
    list_users,
    set_active,
    set_office,
    set_password,
    unlock,
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise UserError("passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ui.users", description="Manage local accounts.")
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add")
    a.add_argument("name")
    a.add_argument("--role", choices=ROLES, required=True)
    a.add_argument(
        "--office",
        help=f"limit the account to this office's working area: one of "
        f"{', '.join(offices()['id'])} (default: the whole province, {PROVINCE_KEY})",
    )
    a.add_argument("--password-stdin", action="store_true")
    o = sub.add_parser("office")
    o.add_argument("name")
    o.add_argument("office", help=f"an office id, or {PROVINCE_KEY} for the whole province")
    p = sub.add_parser("passwd")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    for verb in ("disable", "enable", "unlock"):
        sub.add_parser(verb).add_argument("name")
    sub.add_parser("list")
    args = ap.parse_args(argv)
    engine = get_engine(args.db)
    upgrade(engine)
    try:
        if args.cmd == "add":
            add_user(
                engine, args.name, _password(args.password_stdin), args.role, office=args.office
            )
        elif args.cmd == "office":
            set_office(engine, args.name, args.office)
        elif args.cmd == "passwd":
            set_password(engine, args.name, _password(args.password_stdin))
        elif args.cmd in ("disable", "enable"):
            set_active(engine, args.name, args.cmd == "enable")
        elif args.cmd == "unlock":
            print(f"cleared the delays of {unlock(engine, args.name)} client(s)")
        else:
            for u in list_users(engine):
                print(
                    f"{u['username']:20} {u['role']:8} {u['office_id'] or PROVINCE_KEY:20} "
                    f"{'active' if u['active'] else 'disabled':9}"
                    f"{' demo' if u['is_demo'] else ''}"
                )
            return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
