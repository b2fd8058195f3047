"""The demo generator is deterministic for a seed and realistic in shape."""
import pandas as pd

from loaders.demo import MONTHLY_ARRIVALS, generate


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = generate(seed=7, scale=0.2), generate(seed=7, scale=0.2), generate(seed=8, scale=0.2)
    for kind in ("presence", "incidents", "crossings"):
        pd.testing.assert_frame_equal(a[kind], b[kind])
    assert not a["presence"].equals(c["presence"])


def test_shape_of_the_demo():
    d = generate(seed=2024, scale=1)
    p, i, c = d["presence"], d["incidents"], d["crossings"]
    # concentrated where foreigners are: the Gilis (KLU) and Kuta-Mandalika lead, Kota Bima is last
    codes = p["kabupaten_kota"].map(lambda v: {"KLU": "52.08", "Lombok Tengah": "52.02", "Kota Bima": "52.72",
                                               "Lobar": "52.01"}.get(v, v))
    share = codes.value_counts(normalize=True)
    assert share.index[0] in ("52.08", "52.02") and share["52.72"] < 0.02
    # Malaysia first in the nationality mix, as in the published January figures
    assert p["kewarganegaraan"].value_counts().index[0] == "MYS"
    # a small share of permit/activity mismatches (work on a visit permit) and a few political ones
    work_on_visit = (p["jenis_izin"].isin(["BVK", "VOA", "ITK"]) & (p["kegiatan"] == "bekerja")).mean()
    assert 0.001 < work_on_visit < 0.02
    assert (p["kegiatan"] == "politik").sum() >= 4
    # every incident category, and election-related ones
    assert set(i["category"]) == {"overstay", "penyalahgunaan_izin", "bekerja_tanpa_izin", "kegiatan_politik",
                                  "ketertiban_umum", "dokumen_palsu", "kepabeanan", "pertambangan_ilegal",
                                  "lingkungan", "narkotika", "kriminal_lain", "lainnya"}
    assert (i["election_related"] == "ya").sum() >= 6
    # monthly airport arrivals follow the published figures (Poisson noise aside)
    lop = c[(c["port"] == "lop_lombok_airport") & (c["direction"] == "datang")]
    month = pd.to_datetime(lop["date"], format="%d/%m/%Y").dt.to_period("M")
    got = lop.groupby(month)["count"].sum()
    for (y, m), want in MONTHLY_ARRIVALS.items():
        assert abs(got[pd.Period(year=y, month=m, freq="M")] - want) / want < 0.05
