"""Security journeys in the browser: a viewer cannot reach the upload page by URL; script
payloads in uploaded text render as text everywhere (no dialog ever opens)."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from i18n import t
from loaders.pipeline import import_file
from storage.users import UserError, add_user
from tests.e2e.helpers import (
    SIGN_IN_USER,
    assert_no_exception,
    dataframe_rows,
    dataframe_with_header,
    go_to,
    open_app,
    rerun,
    sign_in,
    wait_idle,
    wait_map,
)

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "javascript:alert(4)",
    '"><script>alert(5)</script>',
    "'><img src=x onerror=alert(6)>",
    "<iframe src=javascript:alert(7)>",
    "<body onload=alert(8)>",
    "<a href=javascript:alert(9)>x</a>",
    "[x](javascript:alert(10))",
    "![x](http://evil.example/11.png)",
    "<details open ontoggle=alert(12)>",
    "<math><mtext><script>alert(13)</script>",
    "{{constructor.constructor('alert(14)')()}}",
    "<input autofocus onfocus=alert(15)>",
    "<marquee onstart=alert(16)>",
    "<video src=x onerror=alert(17)>",
    "<object data=javascript:alert(18)>",
    "<embed src=javascript:alert(19)>",
    "%3Cscript%3Ealert(20)%3C/script%3E",
    "<scr<script>ipt>alert(21)</scr</script>ipt>",
    "<style>@import 'javascript:alert(22)'</style>",
    "<form action=javascript:alert(23)><button>x</button></form>",
    '=HYPERLINK("http://evil","24")',
    "<base href=javascript:alert(25)//>",
    "<link rel=import href=data:text/html,<script>alert(26)</script>>",
    '<div style="background:url(javascript:alert(27))">',
    "<b onmouseover=alert(28)>x</b>",
    "<textarea onfocus=alert(29) autofocus>",
    "<keygen autofocus onfocus=alert(30)>",
]


def _csv_cell(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def xss_loaded(app_server):
    """30 payloads in incident descriptions, reporters and agencies, and presence sponsors and
    locations, imported through the real pipeline into the app's database (Kota Bima)."""
    eng = app_server.engine()
    inc = [
        "tanggal_kejadian,kabupaten_kota,kategori,tingkat,no_kejadian,uraian,pelapor,instansi_penindak,lintang,bujur"
    ]
    pres = [
        "no_register,tanggal_laporan,kabupaten_kota,kewarganegaraan,jenis_izin,kegiatan,penjamin,lokasi"
    ]
    for n, p in enumerate(PAYLOADS):
        inc.append(
            f"20/02/2025,Kota Bima,lainnya,4,XSS-{n},{_csv_cell(p)},{_csv_cell(p)},{_csv_cell(p)},-8.46,118.73"
        )
        pres.append(f"XSS-P{n},20/02/2025,Kota Bima,AUS,ITAS,bekerja,{_csv_cell(p)},{_csv_cell(p)}")
    r1 = import_file(
        eng, ("\n".join(inc) + "\n").encode(), "xss_incidents.csv", "incidents", user="e2e"
    )
    r2 = import_file(
        eng, ("\n".join(pres) + "\n").encode(), "xss_presence.csv", "presence", user="e2e"
    )
    assert (r1.rows_imported, r2.rows_imported) == (30, 30), (r1.summary("en"), r2.summary("en"))
    return True


def test_payloads_render_as_text_and_open_no_dialog(page: Page, app_server, xss_loaded):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, app_server)
    for key in ("overview", "map", "alerts", "timeline", "records", "about"):
        go_to(page, key)
        assert_no_exception(page)
    # the map: hover the Kota Bima markers (their hover text holds the agency payloads)
    go_to(page, "map")
    wait_map(page, 10)
    points = page.locator('[data-testid="stPlotlyChart"] g.trace.scattergeo path.point')
    for i in range(min(points.count(), 60)):
        with contextlib.suppress(PlaywrightError):  # a marker hidden under another one
            points.nth(i).hover(timeout=500, force=True)
    # the drill-down shows the analysts the descriptions, as text
    page.locator('.st-key-drill_select [role="combobox"]').click()
    with rerun(page):
        page.get_by_role("option", name="Kota Bima", exact=True).click()
    expect(
        page.get_by_role("heading", name=t("mappage.drill_title", regency="Kota Bima"))
    ).to_be_visible()
    incidents = dataframe_rows(dataframe_with_header(page, "uraian"))
    go_to(page, "records")
    records = dataframe_rows(dataframe_with_header(page, "penjamin"))
    assert dialogs == []
    # the payloads are on screen as the literal text the analyst sent
    cells = {c for row in incidents + records for c in row}
    assert cells & set(PAYLOADS), (incidents[:3], records[:3])
    assert_no_exception(page)


def test_viewer_cannot_reach_the_upload_page_by_url(page: Page, app_server):
    eng = app_server.engine()
    with contextlib.suppress(UserError):  # already there from an earlier test in this session
        add_user(eng, "e2e-pimpinan", "viewer-password-123", "viewer", actor="e2e")
    page.goto(f"{app_server.url}/unggah")
    page.locator(SIGN_IN_USER).wait_for(timeout=60_000)
    sign_in(page, app_server, "e2e-pimpinan", "viewer-password-123")
    wait_idle(page)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.locator("h1").filter(has_text=t("uploadpage.title")).count() == 0
    labels = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
    assert not any(t("nav.upload") in s for s in labels) and not any(
        t("nav.records") in s for s in labels
    )
    assert_no_exception(page)
