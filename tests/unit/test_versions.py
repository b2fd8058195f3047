"""Cache keys follow exactly what changed: an import bumps its own kind, an undo too, an alert
status change or a rule run bumps alerts only; a rejected file bumps nothing."""

from loaders.pipeline import import_file
from services.alerts import evaluate_and_store
from storage.alerts_store import set_status
from storage.imports import undo_batch
from storage.versions import versions
from tests.unit.test_import import bad_file, presence_file

INC = b"tanggal_kejadian,kabupaten_kota,kategori,tingkat\n25/11/2024,Kota Mataram,kegiatan_politik,tinggi\n"


def test_each_change_bumps_only_its_own_counter(engine):
    assert versions(engine) == {
        "presence": 0,
        "incidents": 0,
        "crossings": 0,
        "voters": 0,
        "alerts": 0,
    }
    res = import_file(engine, presence_file(5), "a.csv", "presence")
    assert versions(engine) == {
        "presence": 1,
        "incidents": 0,
        "crossings": 0,
        "voters": 0,
        "alerts": 0,
    }
    import_file(engine, INC, "i.csv", "incidents")
    assert versions(engine) == {
        "presence": 1,
        "incidents": 1,
        "crossings": 0,
        "voters": 0,
        "alerts": 0,
    }
    import_file(engine, bad_file(), "bad.csv", "presence", mode="all_or_nothing")  # rejected
    import_file(
        engine, presence_file(5), "again.csv", "presence"
    )  # the same file again: nothing new
    assert versions(engine)["presence"] == 1
    evaluate_and_store(engine)
    assert versions(engine) == {
        "presence": 1,
        "incidents": 1,
        "crossings": 0,
        "voters": 0,
        "alerts": 1,
    }
    set_status(engine, 1, "ditelaah", "ana", "analyst")
    assert versions(engine) == {
        "presence": 1,
        "incidents": 1,
        "crossings": 0,
        "voters": 0,
        "alerts": 2,
    }
    undo_batch(engine, res.batch_id, "admin")
    assert versions(engine) == {
        "presence": 2,
        "incidents": 1,
        "crossings": 0,
        "voters": 0,
        "alerts": 2,
    }
