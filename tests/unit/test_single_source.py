"""Facts written once (issue 22 item 3): each list below is defined in one module and the others
import it, so changing it in that one place changes it everywhere."""
from domain import changes, follow_up, vocabularies
from loaders.values import parse_enum
from services import overview
from storage import alerts_store


def test_follow_up_statuses_come_from_the_vocabulary_file():
    """data/reference/vocabularies.toml [status]: the importer, the alert store, the overview and
    the alerts page read the same tuple."""
    assert vocabularies.STATUSES == ("baru", "ditelaah", "ditindaklanjuti", "selesai")
    assert (vocabularies.NEW, vocabularies.CLOSED) == ("baru", "selesai")
    assert alerts_store.STATUSES is vocabularies.STATUSES
    assert changes.CLOSED == follow_up.CLOSED == "selesai"
    assert overview.OPEN == ("baru", "ditelaah", "ditindaklanjuti")
    assert parse_enum("status", "Followed-Up") == "ditindaklanjuti"
