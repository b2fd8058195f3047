"""Real browser: a file with an agency's own headers is mapped (two columns chosen by hand),
the mapping saved as a profile, and a second file with the same headers is offered that
profile and imports (issue 19 item 1); the regencies come from the hotel address (item 2)."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from i18n import t
from tests.e2e.helpers import choose_radio, go_to, open_app, rerun, wait_idle

pytestmark = pytest.mark.e2e

HEADERS = "Tanggal Masuk Hotel,Dok,Asal,Visa,Kolom 5,Kode,Hotel,Nama\n"
FIRST = HEADERS + (
    "15/11/2024,E2E1234567,AUS,VOA,wisata,E2EMAP-1,Gili Trawangan,John\n"
    '15/11/2024,E2E1234568,Jerman,ITAS kerja,bekerja,E2EMAP-2,"Jl. Raya Senggigi No 5, Batu Layar",Jane\n'
)
SECOND = HEADERS + '16/11/2024,E2E7654321,GBR,VOA,wisata,E2EMAP-3,"Kuta, Pujut",Bob\n'
PROFILE = "Hotel Gili e2e"


def choose(page: Page, key: str, option: str) -> None:
    """Pick an option of the selectbox with this widget key."""
    page.locator(f'.st-key-{key} [role="combobox"]').click()
    with rerun(page):
        page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f'.st-key-{key} [role="combobox"]')).to_have_value(option)


def upload(page: Page, path) -> None:
    with rerun(page):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))


def last_batch(app) -> list[tuple]:
    """(regency, kecamatan) of the rows of the last batch; "Kode" stays unmapped, so no sender ids."""
    with app.engine().connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT regency_code, kecamatan_code FROM presence "
                    "WHERE batch_id = (SELECT max(id) FROM upload_batch) ORDER BY id"
                )
            ).all()
        ]


def test_map_two_columns_save_and_offer_again(page: Page, app_server, tmp_path):
    first, second = tmp_path / "hotel_1.csv", tmp_path / "hotel_2.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    sha = hashlib.sha256(first.read_bytes()).hexdigest()[:12]

    open_app(page, app_server)
    go_to(page, "upload")
    choose_radio(page, t("uploadpage.kind_presence", "id"))
    upload(page, first)
    expect(page.get_by_text(t("mapping.title", "id"), exact=True)).to_be_visible(timeout=60_000)
    # The guess took the check-in date for the arrival date and did not know "Dok": report_date missing.
    expect(
        page.get_by_text(t("mapping.still_missing", "id", columns="report_date"))
    ).to_be_visible()
    choose(page, f"map_{sha}__0", "report_date")  # Tanggal Masuk Hotel
    choose(page, f"map_{sha}__1", "passport_no")  # Dok
    expect(page.get_by_text(t("mapping.still_missing", "id", columns="report_date"))).to_have_count(
        0
    )

    page.locator(f".st-key-map_name_{sha} input").fill(PROFILE)
    with rerun(page):
        page.locator(f".st-key-map_name_{sha} input").press("Enter")
    page.locator(f".st-key-map_save_{sha} button").click()
    expect(page.get_by_text(t("mapping.saved", "id", name=PROFILE))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(t("mapping.from_places", "id", n=2))).to_be_visible()
    page.get_by_role("button", name=t("uploadpage.commit", "id"), exact=True).click()
    done = t("upload.summary", "id", imported=2, updated=0, rejected=0, duplicates=0, read=2)
    expect(
        page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text=done)
    ).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert last_batch(app_server) == [("52.08", "52.08.05"), ("52.01", "52.01.14")]

    upload(page, second)
    expect(page.get_by_text(t("mapping.using", "id", name=PROFILE))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(t("mapping.still_missing", "id", columns="report_date"))).to_have_count(
        0
    )
    page.get_by_role("button", name=t("uploadpage.commit", "id"), exact=True).click()
    done = t("upload.summary", "id", imported=1, updated=0, rejected=0, duplicates=0, read=1)
    expect(
        page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text=done)
    ).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert last_batch(app_server) == [("52.02", "52.02.04")]
