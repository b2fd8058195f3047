"""Issue 21 item 3: text from a file never turns into a link, image, HTML, LaTeX, a colour or an
icon in Streamlit markdown. Thirty payloads: the escaping function alone, read by a real markdown
parser plus the finders Streamlit's frontend runs on parsed text; then imported as incidents
through the real pipeline and rendered on the alerts, map (drill-down), records and about pages."""

import csv
import io
import re

import pytest
from markdown_it import MarkdownIt

from i18n import t
from tests.app.conftest import app, demo_db, sqlite_copy  # noqa: F401  (AppTest fixtures: the demo database, signed-in sessions)
from ui.alert_queue import SELECTED
from ui.text import WORD_JOINER, inert

PAYLOADS = [
    "[Login ulang di sini](https://evil.example/login)",
    "![x](http://evil.example/track.png)",
    "Lihat https://evil.example/phish sekarang",
    "Kunjungi www.evil.example segera",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='https://evil.example'>klik</a>",
    "Rumus $x^2 + y$ KaTeX",
    "$$\\int_0^1 x\\,dx$$",
    ":red[merah] :blue-background[biru]",
    ":material/warning: ikon",
    ":smile: :rocket: emoji",
    "**tebal** dan _miring_ dan *miring*",
    "# Judul palsu",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "```\nkode pagar\n```",
    "`kode sebaris`",
    "[klik](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "![](data:image/png;base64,iVBORw0KGgo=)",
    "<https://evil.example/auto>",
    "Surel admin@evil.example",
    "~~coret~~ teks",
    "> kutipan palsu",
    "- daftar\n- butir",
    "[ref][1]\n\n[1]: https://evil.example/ref",
    ":small[kecil] :violet-badge[lencana]",
    "&lt;b&gt;entitas&lt;/b&gt; &#x3C;i&#x3E;",
    "Polda\\ \\[x\\](https://evil.example/bs) garis miring",
]

# What Streamlit 1.67's markdown (StreamlitMarkdown.*.js) looks for in the PARSED text, after escapes
# are resolved: GFM bare URLs and e-mail addresses, and emoji/icon shortcodes.
FINDERS = [
    re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.I),
    re.compile(r"[-.+\w]+@[-\w]+(?:\.[-\w]+)+"),
    re.compile(r":(?!streamlit:)[\w+-][\w_+/-]*:"),
]
# ... and in the SOURCE: LaTeX (escaped \$ removed first, as Streamlit does) and directives (:red[…]).
MATH = [
    re.compile(r"(?<!\$)\$\$+(?!\$)[\s\S]*?\$\$"),
    re.compile(r"(?<!\$)\$(?![\s$])[^$\n]*?[^\s$]\$(?!\d)"),
]
DIRECTIVE = re.compile(r"(?<!\\):[A-Za-z][\w-]*\[")
ONLY_TEXT = {"text", "softbreak"}


def _parse(source: str):
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)


def _one_line(p: str) -> str:
    return re.sub(r"\r\n|[\r\n]", " ", p)


def test_there_are_thirty_payloads():
    assert len(PAYLOADS) == 30 and len(set(PAYLOADS)) == 30 and max(map(len, PAYLOADS)) <= 120


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inert_text_parses_to_the_same_plain_text_and_nothing_else(payload):
    source = inert(payload)
    tokens = _parse(source)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children
    assert {c.type for c in children} <= ONLY_TEXT, [c.type for c in children]
    shown = "".join(c.content for c in children)
    assert shown.replace(WORD_JOINER, "") == _one_line(payload)
    html = MarkdownIt("commonmark").render(source)
    assert not re.search(r"<(?!/?p>)", html), html
    for finder in FINDERS:
        assert not finder.search(shown), (finder.pattern, shown)
    unescaped_source = re.sub(r"\\[\\$`]", "_", source)
    assert not any(m.search(unescaped_source) for m in MATH)
    assert not DIRECTIVE.search(source)


@pytest.mark.parametrize("payload", PAYLOADS[:8])
def test_the_payloads_are_active_without_the_function(payload):
    """The check above would see them: each is a link, image, HTML, URL or formula when not escaped."""
    tokens = _parse(payload)
    inline = [c.type for t in tokens if t.type == "inline" for c in t.children]
    shown = "".join(c.content for t in tokens if t.type == "inline" for c in t.children)
    blocks = {t.type for t in tokens} - {"paragraph_open", "inline", "paragraph_close"}
    assert (
        blocks
        or set(inline) - ONLY_TEXT
        or any(f.search(shown) for f in FINDERS)
        or any(m.search(payload) for m in MATH)
    )


# The pages: the payloads imported as incidents (agency, description, reporter) in a copy of the demo database.
SHOWN = (
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "title",
    "header",
    "subheader",
)


@pytest.fixture(scope="module")
def attacked_db(demo_db, tmp_path_factory):  # noqa: F811
    from domain.calendar import elections
    from loaders.pipeline import import_file
    from services.alerts import evaluate_and_store
    from storage.engine import make_engine

    url = sqlite_copy(demo_db, tmp_path_factory.mktemp("inert") / "attacked.sqlite")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(
        [
            "tanggal_kejadian",
            "kabupaten_kota",
            "kategori",
            "tingkat",
            "no_kejadian",
            "uraian",
            "pelapor",
            "instansi_penindak",
            "status_tindak_lanjut",
            "terkait_pilkada",
        ]
    )
    for i, p in enumerate(PAYLOADS):
        w.writerow(
            [
                "25/11/2024",
                "Kota Mataram",
                "kegiatan_politik",
                "tinggi",
                f"INERT-{i:02d}",
                p,
                p,
                p,
                "baru",
                "ya",
            ]
        )
    engine = make_engine(url)
    res = import_file(
        engine, buf.getvalue().encode(), "[berkas](https://evil.example/f).csv", "incidents"
    )
    assert (res.status, res.rows_imported) == ("imported", 30), res.summary("en")
    evaluate_and_store(engine, next(iter(elections().values())))
    engine.dispose()
    return url


def _check(at) -> int:
    """Every shown text holding a payload holds it as inert(payload), never as written. Returns how many."""
    seen = 0
    for kind in SHOWN:
        for el in at.get(kind):
            value = el.value if isinstance(el.value, str) else str(el.value)
            for p in PAYLOADS:
                seen += value.count(inert(p))
                assert _one_line(p) not in value.replace(inert(p), ""), (kind, value)
    return seen


def test_the_pages_show_every_payload_inert(app, attacked_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("NTB_DB_URL", attacked_db)
    at = app("pages/alerts.py", role="analyst").run()
    assert not at.exception, [e.value for e in at.exception]
    listed = at.dataframe[1].value
    by_agency = dict(zip(listed[t("alertpage.agency")], listed["id"]))
    ids = [int(by_agency[p]) for p in PAYLOADS]  # each payload is the agency of one alert
    described = 0
    for alert_id in ids:
        at.session_state[SELECTED] = [alert_id]  # as a click on its row does (ui/alert_queue.py)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        described += _check(at)
    assert described == 30  # each payload shown once, in its alert's explanation, inert
    for page, role in (
        ("pages/map.py", "analyst"),
        ("pages/records.py", "analyst"),
        ("pages/about.py", "admin"),
        ("pages/admin.py", "admin"),
    ):
        at = app(page, role=role)
        if page == "pages/map.py":
            at.session_state["drill_select"] = "52.71"
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        _check(at)
