"""With Bahasa Indonesia chosen no English shows on any page (issue 18 item 8): every page the
analyst may open, its visible text and the text plotly draws in its charts (axis months), against
the English that leaked before: the boundary attribution, the sources' "as reported", the licence
expander, Streamlit's own placeholders and plotly's English month names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from i18n import t
from tests.e2e.helpers import PAGE_TITLES, go_to, open_app, overview_map, rerun, wait_idle

pytestmark = pytest.mark.e2e
LEAKS = re.compile(
    r"Regency boundaries|as reported|Constitutional Court|Immigration offices|MIT License|"
    r"Choose an option|Choose options|No results|\b(?:May|Aug|Oct|Dec) 20\d\d\b|days to voting|"
    r"\bUpload\b|per file|"  # Streamlit's own words on the file uploader
    r"cruise terminal|special terminal"  # port names (data/reference/ports.csv)
)
PAGES = ("overview", "map", "alerts", "timeline", "upload", "records", "about")


def visible_text(page: Page) -> str:
    return page.evaluate("""() => document.querySelector('[data-testid="stApp"]').innerText + '\\n' +
        [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')].map(e => e.textContent).join('\\n')""")


def test_no_english_on_any_page_in_indonesian(page: Page, app_server):
    open_app(page, app_server)
    found = {}
    for key in PAGES:
        assert key in PAGE_TITLES
        go_to(page, key)
        if key in ("map", "timeline"):
            page.locator('[data-testid="stPlotlyChart"] svg text').first.wait_for(timeout=60_000)
            wait_idle(page)
        if key == "overview":  # its map is a picture (its words: tests/unit/test_overview_map.py)
            overview_map(page)
        hits = sorted({m.group(0) for m in LEAKS.finditer(visible_text(page))})
        if hits:
            found[key] = hits
    assert found == {}
    # what leaked is now there in Indonesian
    assert "Batas kabupaten/kota: diturunkan dari cahyadsn/wilayah_boundaries" in visible_text(page)


UPLOADER_WORDS = """() => {
  const box = document.querySelector('[data-testid="stFileUploaderDropzone"]');
  const after = (sel) => getComputedStyle(box.querySelector(sel), '::after').content;
  return [after('button [data-testid="stMarkdownContainer"]'),
          after('[data-testid="stFileUploaderDropzoneInstructions"] > div'),
          box.querySelector('button').innerText.trim()];
}"""


def test_the_file_uploader_speaks_the_users_language(page: Page, app_server):
    """Streamlit draws "Upload" and "200MB per file" in English whatever the language; the upload
    page shows its own words instead (ui/components.file_uploader), in both languages."""
    open_app(page, app_server)
    go_to(page, "upload")
    page.locator('[data-testid="stFileUploaderDropzone"] button').wait_for(timeout=60_000)
    assert page.evaluate(UPLOADER_WORDS) == [
        '"Telusuri berkas"',
        '"maks. 200 MB per berkas · CSV, TSV, TXT, XLSX"',
        "upload",  # the icon's ligature name only: the English word is not drawn
    ]
    with rerun(page):
        page.locator('[data-testid="stRadio"] label').filter(has_text="English").click()
    page.locator('[data-testid="stFileUploaderDropzone"] button').wait_for(timeout=60_000)
    assert page.evaluate(UPLOADER_WORDS) == [
        '"Browse files"',
        '"up to 200 MB per file · CSV, TSV, TXT, XLSX"',
        "upload",
    ]


def test_a_file_of_another_type_is_refused_in_the_users_language(page: Page, app_server, tmp_path):
    """Streamlit would refuse a .json in the browser with its English "application/json files are
    not allowed."; the uploader takes any file and the reader refuses it in Indonesian, nothing
    stored (errors.unsupported_extension)."""
    path = tmp_path / "keberadaan.json"
    path.write_text('{"tanggal": "01/11/2024"}\n', encoding="utf-8")
    open_app(page, app_server)
    go_to(page, "upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    refused = (
        t("uploadpage.rejected", "id")
        + " "
        + t("errors.unsupported_extension", "id", ext=".json", allowed=".csv, .tsv, .txt, .xlsx")
    )
    alert = page.locator('[data-testid="stAlertContentError"]')
    expect(alert).to_be_visible(timeout=60_000)
    wait_idle(page)
    # ui.text.inert puts a word joiner before each dot, so ".json" is never drawn as a link
    assert alert.inner_text().replace("\u2060", "") == refused
    assert "not allowed" not in visible_text(page)


def test_a_file_the_browser_refuses_is_explained_in_the_users_language(
    page: Page, app_server, tmp_path
):
    """A file above the upload limit never reaches the server: Streamlit marks it with a red icon
    and an English tooltip ("File must be 200.0MB or smaller."); the page says why in Indonesian."""
    path = tmp_path / "dpt_ntb.csv"
    with path.open("wb") as f:  # sparse: 201 MB on paper, nothing on disk
        f.write(b"nik,kabupaten_kota\n")
        f.truncate(201 * 2**20)
    open_app(page, app_server)
    go_to(page, "upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.locator('[data-testid="stFileChip"][aria-invalid="true"]').wait_for(timeout=60_000)
    shown = page.evaluate(
        """() => getComputedStyle(document.querySelector(
             '[data-testid="stFileUploaderDropzone"]'), '::after').content"""
    )
    assert shown == '"' + t("uploadpage.not_sent", "id", size="200") + '"'
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0  # nothing was sent
