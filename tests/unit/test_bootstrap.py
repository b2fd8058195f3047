"""`python -m services.bootstrap` says what it did to the database: created, upgraded or nothing.

It used to print "schema up to date" for a file it had just created."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from services import bootstrap
from storage.engine import make_engine
from storage.schema import alembic_config, upgrade

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(url: str, capsys) -> str:
    assert bootstrap.main(["--db", url]) == 0
    return capsys.readouterr().out


def test_a_new_file_is_created_then_up_to_date(tmp_path, capsys):
    db = tmp_path / "new.sqlite"
    url = f"sqlite:///{db}"
    assert not db.exists()
    assert _run(url, capsys) == f"created a new database (schema {HEAD}): {url}\n"
    assert db.exists()
    assert _run(url, capsys) == f"schema up to date ({HEAD}): {url}\n"


def test_an_old_database_is_upgraded(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    assert upgrade(engine, "0011") == (None, "0011")
    engine.dispose()
    assert _run(url, capsys) == f"schema upgraded from 0011 to {HEAD}: {url}\n"


def test_messages():
    assert bootstrap.schema_message(None, "0012") == "created a new database (schema 0012)"
    assert bootstrap.schema_message("0012", "0012") == "schema up to date (0012)"
    assert bootstrap.schema_message("0009", "0012") == "schema upgraded from 0009 to 0012"
