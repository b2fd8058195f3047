"""Realistic synthetic demo data, 1 Jun 2024 – 28 Feb 2025, loaded through the analysts' import path.

    python -m loaders.demo [--db URL] [--scale N] [--seed S] [--out DIR] [--no-load]

Deterministic for a seed. At `--scale 1` the volumes reproduce the published figures in
data/reference/demo_calibration.csv (docs/demo-calibration.md puts each demo total beside its
figure): about 2,000 foreign hotel guests' reports a day across NTB, one presence row per guest
(APOA reports are per person, person_count 1), spread over the regencies by the file's shares and
over the hotspots of each regency by demo_hotspots.csv's `weight`; residents (ITAS by purpose,
ITAP) and the Sumbawa Barat mine's workforce reported by their sponsors every 28 days; patrols'
group sightings; airport arrivals per month with the published nationality mixes; cruise calls at
Gili Mas; deportations, the Sekotong illegal-mining case and election-related incidents.

`--scale` multiplies people (reports, workers, passengers); events keep their number at every
scale (incidents, cruise calls, planted cases), so a small test dataset still has every case.
Planted so every alert rule shows something: the MotoGP crowd at Kuta–Mandalika (27–29 Sep 2024),
a silent week in the Bima office area, cruise calls and the MotoGP arrivals at the ports,
overstays, permits expiring in the campaign, permit/activity mismatches (work on a visit permit,
the pearl traders, a remote-work ITAS at Lakey, a family ITAS sponsored in Bali teaching in Kuta),
political activity and election-sensitive incidents. Bare "ITAS" with work (purpose unknown) is
not a mismatch. Files are written in the upload contract's formats (Indonesian headers for
presence, English for incidents, day-first dates), readable by their owner only (the presence file
holds passport numbers in clear), and imported with `loaders.pipeline`; every batch is marked demo
and the app labels it "DATA DEMO (sintetis)".
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from domain.paths import LOCAL, REFERENCE
from domain.regions import areas_on, regency_geometries
from loaders import demo_calibration as cal

START, END = dt.date(2024, 6, 1), dt.date(2025, 2, 28)
DAYS = pd.date_range(START, END, freq="D")
# Planted scenario (not a published figure): the Bima office area sends nothing for six days.
GAP = (dt.date(2024, 10, 14), dt.date(2024, 10, 19))
GAP_REGENCIES = ("52.05", "52.06", "52.72")
MINE_SPOT, SEKOTONG_SPOT = "benete_maluk", "sekotong"
MINE_SPONSOR = (
    "Perusahaan tambang tembaga, Sumbawa Barat"  # the sponsor column of the mine's workers
)
REPORT_EVERY = 28  # days between a sponsor's reports on a resident (ITAS, ITAP, the mine's workers)
VISIT = ("BVK", "VOA", "ITK")
# Regency as analysts write it: codes, names and short forms mixed (one row in three keeps the code)
REGENCY_WRITTEN = {
    "52.01": "Lobar",
    "52.02": "Lombok Tengah",
    "52.03": "LOTIM",
    "52.08": "KLU",
    "52.07": "KSB",
    "52.71": "Kota Mataram",
    "52.72": "Kota Bima",
    "52.04": "Kab. Sumbawa",
}
CATEGORIES = {  # background incidents: category -> weight (project estimate)
    "overstay": 10,
    "penyalahgunaan_izin": 12,
    "bekerja_tanpa_izin": 10,
    "kegiatan_politik": 3,
    "ketertiban_umum": 8,
    "dokumen_palsu": 3,
    "kepabeanan": 4,
    "pertambangan_ilegal": 4,
    "lingkungan": 4,
    "narkotika": 3,
    "kriminal_lain": 5,
    "lainnya": 6,
}
# where mining and environment incidents happen: Sekotong on Lombok as well as Sumbawa's mines
MINING_REGENCIES = ("52.01", "52.07", "52.04", "52.05", "52.06")
ENVIRONMENT_REGENCIES = ("52.08", "52.01", "52.02", "52.07", "52.04")
DESCRIPTIONS = {
    "overstay": "WNA melebihi izin tinggal, ditemukan saat pemeriksaan hotel",
    "penyalahgunaan_izin": "Pemegang izin kunjungan berjualan mutiara kepada wisatawan",
    "bekerja_tanpa_izin": "WNA bekerja sebagai instruktur selam tanpa izin kerja",
    "kegiatan_politik": "WNA terlihat ikut dalam kegiatan kampanye pasangan calon",
    "ketertiban_umum": "Keributan melibatkan WNA di kawasan wisata",
    "dokumen_palsu": "Paspor diduga palsu saat pemeriksaan",
    "kepabeanan": "Barang bawaan tidak dilaporkan di pelabuhan",
    "pertambangan_ilegal": "WNA di lokasi tambang rakyat tanpa izin",
    "lingkungan": "Pembangunan vila di sempadan pantai tanpa izin lingkungan",
    "narkotika": "WNA diamankan terkait narkotika",
    "kriminal_lain": "Laporan pencurian melibatkan WNA",
    "lainnya": "Laporan masyarakat tentang WNA, perlu ditelaah",
}
ACTIVITY_OF_PURPOSE = {
    "ITAS_KERJA": "bekerja",
    "ITAS_INVESTASI": "investasi",
    "ITAS_KELUARGA": "keluarga",
    "ITAS_STUDI": "pendidikan",
    "ITAS_PENELITIAN": "penelitian",
    "ITAS_LANSIA": "lainnya",
    "ITAS_REMOTE": "lainnya",
}
OPEN_ACTIVITIES = (
    ["bekerja", "keluarga", "investasi", "lainnya"],
    [0.5, 0.2, 0.15, 0.15],
)  # bare ITAS, ITAP

# --- dates as day numbers -------------------------------------------------------------------------
EPOCH = dt.date(2018, 1, 1)
_DAYSTR = pd.date_range(EPOCH, dt.date(2032, 12, 31)).strftime("%d/%m/%Y").to_numpy()


def _n(d: dt.date) -> int:
    return (d - EPOCH).days


def _text(day_numbers: np.ndarray) -> np.ndarray:
    return _DAYSTR[np.asarray(day_numbers, dtype=np.int64)]


D0, D1 = _n(START), _n(END)
MONTHS = sorted({d.strftime("%Y-%m") for d in DAYS})
_MONTH_OF_DAY = np.array([MONTHS.index(d.strftime("%Y-%m")) for d in DAYS])


def hotspots() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "demo_hotspots.csv", dtype={"regency_code": str})


def _allocate(total: int, weights) -> np.ndarray:
    """`total` split over `weights` exactly (largest remainder): published totals stay totals."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _exact_choice(rng, values, weights, n: int) -> np.ndarray:
    """n values in exactly the weights' proportions (rounded), in random order."""
    return rng.permutation(np.repeat(np.asarray(values, dtype=object), _allocate(n, weights)))


def _month_mix(m: str) -> tuple[np.ndarray, np.ndarray]:
    """Nationality mix of a month: between the published January and July mixes by the month's season."""
    jan, jul = cal.shares("mix_jan"), cal.shares("mix_jul")
    w = cal.value("season", m)
    codes = np.array(sorted(set(jan) | set(jul)))
    p = np.array([(1 - w) * jan.get(c, 0) + w * jul.get(c, 0) for c in codes])
    return codes, p / p.sum()


class _Spots:
    """Hotspots of each regency, chosen by their weight; points scattered inside the regency."""

    def __init__(self):
        self.df = hotspots()
        self.geoms = regency_geometries()

    def pick(self, rng, codes: np.ndarray) -> np.ndarray:
        out = np.empty(len(codes), dtype=int)
        for code in np.unique(codes):
            m = codes == code
            cand = self.df.index[self.df["regency_code"] == code].to_numpy()
            w = self.df.loc[cand, "weight"].to_numpy(dtype=float)
            out[m] = rng.choice(cand, m.sum(), p=w / w.sum())
        return out

    def index(self, spot_id: str) -> int:
        return int(self.df.index[self.df["id"] == spot_id][0])

    def points(
        self, rng, idx: np.ndarray, km: float, share: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Text lat/lon around each hotspot for `share` of the rows (blank for the others)."""
        s = self.df
        lat0, lon0 = s["lat"].to_numpy()[idx], s["lon"].to_numpy()[idx]
        lat = lat0 + rng.normal(0, km / 111, len(idx))
        lon = lon0 + rng.normal(0, km / 111, len(idx))
        codes = s["regency_code"].to_numpy()[idx]
        for code in np.unique(codes):
            m = np.flatnonzero(codes == code)
            outside = m[~shapely.contains_xy(self.geoms[code], lon[m], lat[m])]
            lat[outside], lon[outside] = lat0[outside], lon0[outside]
        has = rng.random(len(idx)) < share
        return (
            np.where(has, np.char.mod("%.5f", lat), ""),
            np.where(has, np.char.mod("%.5f", lon), ""),
        )


class _Passports:
    """Unique synthetic passport numbers (a letter and seven digits) for person i = 0, 1, 2, …"""

    LETTERS = np.array(list("ABCEKMNPX"))
    SPACE = 9 * 10**7

    def __init__(self, rng):
        self.mult = (
            int(rng.integers(10**6, 10**7)) * 2 + 1
        )  # odd and not a multiple of 3 or 5: a bijection
        while self.mult % 3 == 0 or self.mult % 5 == 0:
            self.mult += 2
        self.shift, self.next = int(rng.integers(self.SPACE)), 0

    def take(self, n: int) -> np.ndarray:
        i = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        x = (i * self.mult + self.shift) % self.SPACE
        return np.char.add(self.LETTERS[x // 10**7], np.char.zfill((x % 10**7).astype(str), 7))


# --- presence -------------------------------------------------------------------------------------


def _hotel_counts(rng, scale: float) -> np.ndarray:
    """Guest reports per day (rows) and regency (columns, `regencies`)."""
    regencies = list(cal.shares("regency_share"))
    share = np.array(list(cal.shares("regency_share").values()))
    guests_a_day = cal.value("hotel_guests", "ntb") / cal.days_in(
        cal.row("hotel_guests", "ntb")["period"]
    )
    arrivals = cal.numbers("airport_arrivals")
    month_days = np.bincount(_MONTH_OF_DAY)
    rate = np.array([arrivals[m] for m in MONTHS]) / month_days
    season = rate / (
        rate @ month_days / month_days.sum()
    )  # hotel stays follow the airport's months
    counts = np.zeros((len(DAYS), len(regencies)), dtype=int)
    for mi, _m in enumerate(MONTHS):
        rows = np.flatnonzero(mi == _MONTH_OF_DAY)
        per_reg = _allocate(int(round(scale * guests_a_day * season[mi] * len(rows))), share)
        for j, n in enumerate(per_reg):
            counts[rows, j] = rng.multinomial(n, np.full(len(rows), 1 / len(rows)))
    # the MotoGP crowd: extra check-ins at Kuta–Mandalika on top of an ordinary day
    first, last = (
        dt.date.fromisoformat(x) for x in cal.row("motogp", "hotel_factor")["period"].split("/")
    )
    j = regencies.index("52.02")
    days = (DAYS.date >= first) & (DAYS.date <= last)
    ordinary = counts[(DAYS.month == first.month) & ~days, j].mean()
    counts[days, j] += rng.poisson(cal.value("motogp", "hotel_factor") * ordinary, days.sum())
    # the Bima office area's silent week; every other office area reports every day
    counts[(DAYS.date >= GAP[0]) & (DAYS.date <= GAP[1]), :] *= ~np.isin(regencies, GAP_REGENCIES)
    in_gap = (DAYS.date >= GAP[0]) & (DAYS.date <= GAP[1])
    areas = areas_on(END)
    for office in sorted(set(areas.values())):
        cols = [k for k, r in enumerate(regencies) if areas.get(r) == office]
        top = max(cols, key=lambda k: share[k])
        silent = counts[:, cols].sum(axis=1) == 0
        if set(regencies[k] for k in cols) <= set(GAP_REGENCIES):
            silent &= ~in_gap
        counts[silent, top] = 1
    return counts


def _frame(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


def _hotel_guests(rng, scale: float, spots: _Spots, passports: _Passports) -> pd.DataFrame:
    regencies = np.array(list(cal.shares("regency_share")))
    counts = _hotel_counts(rng, scale)
    day = np.repeat(np.repeat(np.arange(len(DAYS)), len(regencies)), counts.ravel())
    reg = np.repeat(np.tile(regencies, len(DAYS)), counts.ravel())
    n = len(day)
    nat = np.empty(n, dtype=object)
    for mi, m in enumerate(MONTHS):
        sel = _MONTH_OF_DAY[day] == mi
        codes, p = _month_mix(m)
        nat[sel] = rng.choice(codes, sel.sum(), p=p)
    asean = pd.Series(nat).map(cal.group("region")).eq("ASEAN").to_numpy()
    permit = np.empty(n, dtype=object)
    for mask, grp in ((asean, "guest_permit_asean"), (~asean, "guest_permit_other")):
        s = cal.shares(grp)
        permit[mask] = rng.choice(list(s), mask.sum(), p=list(s.values()))
    purposes = cal.shares("itas_purpose")
    itas = permit == "ITAS"
    permit[itas] = rng.choice(list(purposes), itas.sum(), p=list(purposes.values()))
    activity = np.where(
        np.isin(permit, VISIT),
        rng.choice(
            ["wisata", "bisnis", "keluarga", "sosial", "keagamaan"],
            n,
            p=[0.93, 0.05, 0.01, 0.005, 0.005],
        ),
        "wisata",
    )
    report = D0 + day
    resident = ~np.isin(permit, VISIT)
    arrival = report - np.where(resident, rng.integers(0, 200, n), rng.integers(0, 10, n))
    valid = (
        pd.Series(permit)
        .map({"BVK": 30, "VOA": 30, "ITK": 60, "ITAP": 1825})
        .fillna(365)
        .to_numpy(int)
    )
    spot = spots.pick(rng, reg)
    lat, lon = spots.points(rng, spot, km=1.5, share=0.55)
    source = np.where(rng.random(n) < 0.85, "APOA", "hotel")
    return _frame(
        report=report,
        regency=reg,
        nationality=nat,
        permit=permit,
        activity=activity,
        passport=passports.take(n),
        persons=1,
        arrival=arrival,
        expiry=arrival + valid - 1,
        sponsor="",
        location=spots.df["name"].to_numpy()[spot],
        lat=lat,
        lon=lon,
        source=source,
    )


def _roster_reports(rng, people: pd.DataFrame) -> pd.DataFrame:
    """Each person reported every REPORT_EVERY days from a random first day; none in the silent week."""
    first = rng.integers(0, REPORT_EVERY, len(people))
    k = (len(DAYS) - 1 - first) // REPORT_EVERY + 1
    idx = np.repeat(np.arange(len(people)), k)
    step = np.arange(len(idx)) - np.repeat(np.cumsum(k) - k, k)
    out = people.iloc[idx].reset_index(drop=True)
    out["report"] = D0 + first[idx] + step * REPORT_EVERY
    gap = (
        (out["report"] >= _n(GAP[0]))
        & (out["report"] <= _n(GAP[1]))
        & out["regency"].isin(GAP_REGENCIES)
    )
    return out[~gap].reset_index(drop=True)


def _residents(rng, scale: float, spots: _Spots, passports: _Passports) -> pd.DataFrame:
    """ITAS holders by purpose and ITAP holders outside the mine, and the mine's workforce."""
    n_mine = int(round(scale * cal.value("mine", "workers")))
    n_kerja = int(round(scale * cal.value("mine", "permitted")))
    n_itas = int(round(scale * cal.value("permits", "ITAS"))) - n_mine
    n_itap = int(round(scale * cal.value("permits", "ITAP")))
    purposes = cal.shares("itas_purpose")
    permit = np.concatenate(
        [
            _exact_choice(rng, list(purposes), list(purposes.values()), n_itas),
            np.full(n_itap, "ITAP", dtype=object),
        ]
    )
    n = len(permit)
    open_ = ~pd.Series(permit).isin(list(ACTIVITY_OF_PURPOSE)).to_numpy()
    activity = pd.Series(permit).map(ACTIVITY_OF_PURPOSE).to_numpy(dtype=object)
    activity[open_] = rng.choice(OPEN_ACTIVITIES[0], open_.sum(), p=OPEN_ACTIVITIES[1])
    where = cal.shares("resident_share")
    reg = _exact_choice(rng, list(where), list(where.values()), n)
    codes, p = _month_mix("2024-07")
    town = _frame(
        regency=reg,
        nationality=rng.choice(codes, n, p=p),
        permit=permit,
        activity=activity,
        spot=spots.pick(rng, reg),
    )
    mix = cal.shares("mix_mine")
    mine = _frame(
        regency="52.07",
        nationality=_exact_choice(rng, list(mix), list(mix.values()), n_mine),
        permit=np.where(np.arange(n_mine) < n_kerja, "ITAS_KERJA", "ITAS"),
        activity="bekerja",
        spot=spots.index(MINE_SPOT),
    )
    people = pd.concat(
        [town.assign(sponsor=""), mine.assign(sponsor=MINE_SPONSOR)], ignore_index=True
    )
    m = len(people)
    people["passport"] = passports.take(m)
    people["arrival"] = D0 - rng.integers(30, 1500, m)
    people["expiry"] = D1 + rng.integers(
        30, 365, m
    )  # extended in time: no overstays among residents
    out = _roster_reports(rng, people)
    lat, lon = spots.points(rng, out["spot"].to_numpy(), km=1.0, share=0.4)
    return out.assign(
        persons=1,
        location=spots.df["name"].to_numpy()[out["spot"]],
        lat=lat,
        lon=lon,
        source="penjamin",
    ).drop(columns="spot")


def _patrols(rng, n: int, spots: _Spots) -> pd.DataFrame:
    """Timpora patrols' and the public's sightings: groups, no passport seen."""
    share = cal.shares("regency_share")
    reg = rng.choice(list(share), n, p=list(share.values()))
    day = rng.integers(0, len(DAYS), n)
    keep = ~(np.isin(reg, GAP_REGENCIES) & (day >= _n(GAP[0]) - D0) & (day <= _n(GAP[1]) - D0))
    reg, day = reg[keep], day[keep]
    n = len(reg)
    codes, p = _month_mix("2024-07")
    nat = rng.choice(codes, n, p=p)
    asean = pd.Series(nat).map(cal.group("region")).eq("ASEAN").to_numpy()
    spot = spots.pick(rng, reg)
    lat, lon = spots.points(rng, spot, km=1.5, share=0.8)
    return _frame(
        report=D0 + day,
        regency=reg,
        nationality=nat,
        permit=np.where(asean, "BVK", "VOA"),
        activity="wisata",
        passport="",
        persons=rng.integers(2, 7, n),
        arrival=-1,
        expiry=-1,
        sponsor="",
        location=spots.df["name"].to_numpy()[spot],
        lat=lat,
        lon=lon,
        source=rng.choice(["patroli", "laporan"], n, p=[0.8, 0.2]),
    )


def _plant_on_guests(rng, guests: pd.DataFrame) -> pd.DataFrame:
    """Overstays, permits expiring in the campaign and work on a visit permit among ordinary guests."""
    g = guests
    taken = np.zeros(len(g), dtype=bool)

    def pick(mask, n):
        idx = rng.choice(np.flatnonzero(mask & ~taken), n, replace=False)
        taken[idx] = True
        return idx

    voa = (g["permit"] == "VOA").to_numpy()
    over = pick(voa & (g["report"] > D0 + 30).to_numpy(), int(cal.value("events", "overstays")))
    days_over = np.where(
        rng.random(len(over)) < 0.75,
        rng.integers(1, 60, len(over)),
        rng.integers(60, 121, len(over)),
    )
    g.loc[over, "expiry"] = g.loc[over, "report"].to_numpy() - days_over
    g.loc[over, "arrival"] = g.loc[over, "expiry"] - 29
    # expiring in the campaign or quiet period (25 Sep – 26 Nov 2024), reported 3–13 days before
    soon = pick(
        voa & g["report"].between(_n(dt.date(2024, 9, 22)), _n(dt.date(2024, 11, 13))).to_numpy(),
        int(cal.value("events", "expiring")),
    )
    g.loc[soon, "expiry"] = g.loc[soon, "report"].to_numpy() + rng.integers(3, 14, len(soon))
    g.loc[soon, "arrival"] = g.loc[soon, "expiry"] - 29
    lombok = g["regency"].isin(["52.01", "52.02", "52.08", "52.71"]).to_numpy()
    work = pick(
        g["permit"].isin(VISIT).to_numpy() & lombok, int(cal.value("events", "mismatch_visit_work"))
    )
    g.loc[work, "activity"] = "bekerja"
    return g


def _planted_people(rng, spots: _Spots, passports: _Passports) -> pd.DataFrame:
    """The domain notes' cases, one frame row per report (synthetic people, real patterns)."""

    def case(
        spot,
        report_days,
        nationality,
        permit,
        activity,
        sponsor="",
        source="patroli",
        passport=None,
    ):
        s = spots.df.loc[spots.index(spot)]
        days = np.array([_n(d) for d in report_days])
        return _frame(
            report=days,
            regency=s["regency_code"],
            nationality=nationality,
            permit=permit,
            activity=activity,
            passport=passport if passport is not None else passports.take(1)[0],
            persons=1,
            arrival=days[0] - 20,
            expiry=days[0] + (300 if permit.startswith("ITAS") else 9),
            sponsor=sponsor,
            location=s["name"],
            lat="",
            lon="",
            source=source,
        )

    frames = []
    # tourists trading pearls on visit permits, Gili Trawangan, early Aug 2024: a cluster
    for k in range(4):
        frames.append(case("gili_trawangan", [dt.date(2024, 8, 5 + k)], "CHN", "VOA", "bekerja"))
    # a remote-work ITAS holder fundraising (working) at Lakey, Dompu
    frames.append(
        case(
            "lakey",
            [dt.date(2025, 1, 14), dt.date(2025, 2, 11)],
            "AUS",
            "ITAS_REMOTE",
            "bekerja",
            source="laporan",
        )
    )
    # a family ITAS sponsored in Bali, giving paid classes in Kuta, Lombok Tengah
    frames.append(
        case(
            "kuta_mandalika",
            [dt.date(2024, 7, 16), dt.date(2024, 8, 13)],
            "RUS",
            "ITAS_KELUARGA",
            "bekerja",
            sponsor="Penjamin di Badung, Bali",
        )
    )
    # foreigners in campaign activity (not allowed on any permit), Mataram, Lombok Tengah, Bima
    n_pol = int(cal.value("events", "political"))
    where = ["mataram", "praya", "kota_bima", "woha"]
    days = pd.date_range("2024-10-20", "2024-11-26").date
    for k in range(n_pol):
        nat = str(rng.choice(["AUS", "GBR", "MYS", "USA"]))
        permit = (
            "BVK" if nat == "MYS" else str(rng.choice(["VOA", "ITAS_KERJA"]))
        )  # BVK: ASEAN only
        frames.append(case(where[k % 4], [days[rng.integers(len(days))]], nat, permit, "politik"))
    return pd.concat(frames, ignore_index=True)


def presence(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    spots, passports = _Spots(), _Passports(rng)
    guests = _plant_on_guests(rng, _hotel_guests(rng, scale, spots, passports))
    patrols = _patrols(rng, int(round(len(guests) * cal.value("events", "patrol_share"))), spots)
    df = pd.concat(
        [
            guests,
            _residents(rng, scale, spots, passports),
            patrols,
            _planted_people(rng, spots, passports),
        ],
        ignore_index=True,
    )
    df = df.iloc[np.lexsort((rng.random(len(df)), df["report"].to_numpy()))].reset_index(drop=True)
    written = df["regency"].map(REGENCY_WRITTEN).fillna(df["regency"])
    apoa = (df["source"] == "APOA").to_numpy()
    no_register = np.where(
        apoa, np.char.add("APOA-", np.char.zfill(np.arange(len(df)).astype(str), 7)), ""
    )
    dates = {
        c: np.where(df[c].to_numpy() >= 0, _text(df[c].clip(lower=0)), "")
        for c in ("arrival", "expiry")
    }
    return pd.DataFrame(
        {
            "no_register": no_register,
            "tanggal_laporan": _text(df["report"]),
            "kabupaten_kota": np.where(np.arange(len(df)) % 3 == 0, df["regency"], written),
            "kewarganegaraan": df["nationality"],
            "jenis_izin": df["permit"],
            "kegiatan": df["activity"],
            "no_paspor": df["passport"],
            "jumlah_orang": df["persons"].astype(int),
            "tanggal_masuk": dates["arrival"],
            "tanggal_habis_izin": dates["expiry"],
            "penjamin": df["sponsor"],
            "lokasi": df["location"],
            "lintang": df["lat"],
            "bujur": df["lon"],
            "sumber": df["source"],
        }
    )


# --- incidents ------------------------------------------------------------------------------------


def _incident(
    day: dt.date,
    regency: str,
    category: str,
    severity: int,
    election: bool = False,
    persons: int = 1,
    **given,
) -> dict:
    """One incident; what is not given (nationality, action, status, reporter, place) is drawn later."""
    return {
        "day": day,
        "regency": regency,
        "category": category,
        "severity": severity,
        "election": election,
        "persons": persons,
        "nationality": None,
        "action": None,
        "status": None,
        "reported_by": None,
        "spot": None,
        **given,
    }


def _deportations(rng, spots: _Spots) -> list[dict]:
    """Kanim Mataram's and Kanim Sumbawa Besar's deportations at their published monthly rates
    (the Jan–Oct / full-year 2024 figures carried over the demo's months), one incident per person
    except the pearl traders, deported together; nationalities in the published order."""
    dep = cal.numbers("deportations")
    areas = areas_on(END)
    share = cal.shares("regency_share")

    def people(office: str, category: str, per_month: float, first: str, last: str) -> list[dict]:
        months = [m for m in MONTHS if first <= m <= last]
        n = int(round(per_month * len(months)))
        regs = [r for r in share if areas[r] == office]
        w = np.array([share[r] for r in regs])
        out = []
        for k in range(n):
            start = dt.date.fromisoformat(months[k * len(months) // n] + "-01")
            day = start + dt.timedelta(days=int(rng.integers(0, pd.Timestamp(start).days_in_month)))
            out.append(_incident(day, str(rng.choice(regs, p=w / w.sum())), category, 3))
        return out

    def office(name: str, rates: dict, periods, nationalities, weights) -> list[dict]:
        rows = [
            r
            for a, b in periods
            for cat, rate in rates.items()
            for r in people(name, cat, rate, a, b)
        ]
        for r, nat in zip(rows, _exact_choice(rng, nationalities, weights, len(rows))):
            r["nationality"] = nat
        return rows

    europe = [c for c, r in cal.group("region").items() if r == "Europe"]
    chn, eur = dep["mataram_chn_share"], dep["mataram_europe_share"]
    mataram = office(
        "kanim_mataram",
        {
            "overstay": dep["mataram_overstay"] / 10,
            "penyalahgunaan_izin": dep["mataram_misuse"] / 10,
        },
        [("2024-06", "2024-10"), ("2024-11", "2025-02")],
        ["CHN", "EUR", "OTH"],
        [chn, eur, 1 - chn - eur],
    )
    others = ["USA", "AUS", "MYS", "IND", "KOR"]
    for r in mataram:
        group = r["nationality"]
        r["nationality"] = (
            "CHN" if group == "CHN" else str(rng.choice(europe if group == "EUR" else others))
        )
    # the pearl traders (planted in presence, early Aug 2024) deported together: four of the misuse count
    pearl = [
        r
        for r in mataram
        if r["category"] == "penyalahgunaan_izin" and r["day"] < dt.date(2024, 11, 1)
    ][:4]
    mataram = [r for r in mataram if not any(r is q for q in pearl)]
    mataram.append(
        _incident(
            dt.date(2024, 8, 12),
            "52.08",
            "penyalahgunaan_izin",
            3,
            persons=len(pearl),
            nationality="CHN",
        )
    )
    mys = dep["sumbawa_mys_share"]
    half = dep["sumbawa"] / 12 / 2  # no published split: overstay and misuse alike
    sumbawa = office(
        "kanim_sumbawa_besar",
        {"overstay": half, "penyalahgunaan_izin": half},
        [("2024-06", "2024-12"), ("2025-01", "2025-02")],
        ["MYS", "PHL", "CHN"],
        [mys, (1 - mys) / 2, (1 - mys) / 2],
    )
    out = mataram + sumbawa
    for d in out:
        d.update(
            action="deportasi",
            status="selesai",
            reported_by="Imigrasi",
            spot=int(spots.pick(rng, np.array([d["regency"]]))[0]),
        )
    return out


def _election_weights(days: pd.DatetimeIndex) -> np.ndarray:
    w = np.ones(len(days))
    w[(days >= "2024-11-20") & (days <= "2024-11-28")] = 6  # run-up, quiet period, voting day
    return w / w.sum()


def incidents(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Events: the same number at every scale."""
    spots = _Spots()
    share = cal.shares("regency_share")
    regs = np.array(list(share))
    near_people = np.sqrt(
        list(share.values())
    )  # incidents follow foreigners, less steeply than hotel stays
    n = int(cal.value("events", "incidents"))
    cat = rng.choice(
        list(CATEGORIES), n, p=np.array(list(CATEGORIES.values())) / sum(CATEGORIES.values())
    )
    reg = rng.choice(regs, n, p=near_people / near_people.sum())
    for cats, where in (
        (["pertambangan_ilegal"], MINING_REGENCIES),
        (["lingkungan"], ENVIRONMENT_REGENCIES),
    ):
        m = np.isin(cat, cats)
        reg[m] = rng.choice(where, m.sum())
    background = [
        _incident(
            DAYS[i].date(),
            r,
            c,
            int(s),
            persons=1 if rng.random() < 0.8 else int(rng.integers(2, 8)),
        )
        for i, r, c, s in zip(
            rng.integers(0, len(DAYS), n),
            reg,
            cat,
            rng.choice([1, 2, 3, 4, 5], n, p=[0.15, 0.35, 0.3, 0.15, 0.05]),
        )
    ]
    # election-related incidents cluster around the campaign, quiet period and voting day
    window = pd.date_range("2024-10-01", "2024-11-30")
    el_days = rng.choice(window.to_numpy(), 18, p=_election_weights(window))
    el_cat = rng.choice(
        ["kegiatan_politik", "ketertiban_umum", "dokumen_palsu", "penyalahgunaan_izin"],
        18,
        p=[0.45, 0.25, 0.15, 0.15],
    )
    el_reg = rng.choice(["52.71", "52.02", "52.06", "52.72", "52.01"], 18)
    election = [
        _incident(
            pd.Timestamp(d).date(),
            r,
            c,
            int(rng.choice([3, 4, 5], p=[0.4, 0.4, 0.2])),
            election=True,
        )
        for d, r, c in zip(el_days, el_reg, el_cat)
    ]
    # and on voting day itself, in Mataram and Kota Bima
    election += [
        _incident(dt.date(2024, 11, 27), r, c, 4, election=True)
        for r, c in (("52.71", "kegiatan_politik"), ("52.72", "ketertiban_umum"))
    ]
    # the Sekotong case: raised as a security risk in the election run-up, investigated by the police
    sekotong = _incident(
        dt.date.fromisoformat(cal.row("sekotong", "persons")["period"]),
        "52.01",
        "pertambangan_ilegal",
        4,
        election=True,
        persons=int(cal.value("sekotong", "persons")),
        nationality="CHN",
        action="diserahkan",
        status="ditindaklanjuti",
        reported_by="Polres Lombok Barat",
        spot=spots.index(SEKOTONG_SPOT),
        description="Kamp tambang emas ilegal di Kecamatan Sekotong dibakar; 15 WNA Tiongkok",
    )
    rows = background + election + _deportations(rng, spots) + [sekotong]
    df = pd.DataFrame(rows)
    m = len(df)
    free = df["spot"].isna().to_numpy()
    spot = df["spot"].to_numpy(dtype=object)
    spot[free] = spots.pick(rng, df.loc[free, "regency"].to_numpy())
    spot = spot.astype(int)
    lat, lon = spots.points(rng, spot, km=3, share=0.7)
    cat = df["category"].to_numpy()
    day = pd.to_datetime(df["day"])
    status = rng.choice(
        ["baru", "ditelaah", "ditindaklanjuti", "selesai"], m, p=[0.2, 0.25, 0.25, 0.3]
    )
    status = np.where(day > pd.Timestamp("2025-02-01"), rng.choice(["baru", "ditelaah"], m), status)
    # deportations are counted apart (published figures): background cases end otherwise
    action = np.where(
        np.isin(cat, ["overstay", "penyalahgunaan_izin"]),
        rng.choice(["denda", "peringatan", "detensi", "pemantauan"], m, p=[0.45, 0.3, 0.1, 0.15]),
        rng.choice(["pemantauan", "diserahkan", ""], m, p=[0.4, 0.4, 0.2]),
    )
    codes, p = _month_mix("2024-07")
    nat = rng.choice(codes, m, p=p)
    nat = np.where(
        np.isin(cat, ["overstay", "penyalahgunaan_izin"]) & (rng.random(m) < 0.4), "CHN", nat
    )
    given = df["nationality"].notna().to_numpy()
    out = pd.DataFrame(
        {
            "incident_id": "",
            "incident_date": _text([_n(d) for d in df["day"]]),
            "regency": df["regency"].to_numpy(),
            "category": cat,
            "severity": df["severity"].astype(int).to_numpy(),
            "nationality": np.where(given, df["nationality"].fillna(""), nat),
            "persons": df["persons"].astype(int).to_numpy(),
            "description": df.get("description", pd.Series([None] * m))
            .fillna(pd.Series(cat).map(DESCRIPTIONS))
            .to_numpy(),
            "lat": lat,
            "lon": lon,
            "reported_by": df["reported_by"]
            .fillna(
                pd.Series(
                    rng.choice(
                        [
                            "Imigrasi",
                            "Polda NTB",
                            "Kodim",
                            "BIN",
                            "Disnakertrans",
                            "Bea Cukai",
                            "Masyarakat",
                        ],
                        m,
                    )
                )
            )
            .to_numpy(),
            "responsible_agency": "",
            "action": df["action"].fillna(pd.Series(action)).to_numpy(),
            "status": df["status"].fillna(pd.Series(status)).to_numpy(),
            "election_related": np.where(df["election"].to_numpy(dtype=bool), "ya", "tidak"),
        }
    )
    out = out.iloc[np.argsort(day.to_numpy(), kind="stable")].reset_index(drop=True)
    out["incident_id"] = [f"KJD-{i:05d}" for i in range(len(out))]
    return out


# --- crossings ------------------------------------------------------------------------------------


def _airport_day_weights() -> np.ndarray:
    """Relative arrivals of each day: the months' daily rates joined smoothly (no step on the 1st),
    a weekly flight rhythm, and the MotoGP arrivals before the race."""
    arrivals = cal.numbers("airport_arrivals")
    month_days = np.bincount(_MONTH_OF_DAY)
    mids = np.cumsum(month_days) - month_days / 2
    w = np.interp(
        np.arange(len(DAYS)) + 0.5, mids, np.array([arrivals[m] for m in MONTHS]) / month_days
    )
    w *= np.array([1.1, 0.9, 1.0, 0.9, 1.15, 1.05, 0.9])[DAYS.day_of_week]
    first, last = (
        dt.date.fromisoformat(x) for x in cal.row("motogp", "airport_factor")["period"].split("/")
    )
    w[(DAYS.date >= first) & (DAYS.date <= last)] *= cal.value("motogp", "airport_factor")
    return w


def crossings(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    arrivals = cal.numbers("airport_arrivals")
    weights = _airport_day_weights()
    rows = []
    for mi, m in enumerate(MONTHS):
        days = np.flatnonzero(mi == _MONTH_OF_DAY)
        codes, p = _month_mix(m)
        per_nat = _allocate(
            int(round(arrivals[m] * scale)), p
        )  # the month's published total, exactly
        dw = weights[days] / weights[days].sum()
        for nat, n in zip(codes, per_nat):
            for d, c in zip(days, rng.multinomial(n, dw)):
                if c:
                    rows.append((d, "lop_lombok_airport", "datang", nat, int(c)))
        for d in days:  # departures as the airport reports them: one total a day
            out = rng.poisson(arrivals[m] * scale * 0.97 / len(days))
            rows.append((d, "lop_lombok_airport", "berangkat", "", int(out)))
    # cruise calls at Gili Mas (Lembar): the season's share of a year's calls, in the demo's Oct–Feb
    season = cal.value("cruise", "season_share")
    n_calls = int(round(cal.value("cruise", "calls") * season))
    cruise_days = np.sort(rng.choice(np.flatnonzero(DAYS >= "2024-10-01"), n_calls, replace=False))
    passengers = _allocate(
        int(round(cal.value("cruise", "passengers") * season * scale)), rng.gamma(4.0, 1.0, n_calls)
    )
    for d, n in zip(cruise_days, passengers):
        rows += [
            (d, "lembar_port", "datang", "", int(n)),
            (d, "lembar_port", "berangkat", "", int(n)),
        ]
    # crews and engineers for the mine at Benete
    for d in np.flatnonzero(rng.random(len(DAYS)) < 0.3):
        rows.append((d, "benete_port", "datang", "", max(1, int(rng.integers(5, 40) * scale))))
    df = pd.DataFrame(rows, columns=["day", "port", "direction", "nationality", "count"])
    df = df.sort_values("day", kind="stable").reset_index(drop=True)
    df.insert(0, "date", _text(D0 + df.pop("day").to_numpy()))
    return df[df["count"] > 0].reset_index(drop=True)


def generate(seed: int = 2024, scale: float = 1.0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    return {
        "presence": presence(rng, scale),
        "incidents": incidents(rng, scale),
        "crossings": crossings(rng, scale),
    }


def to_csv_bytes(df: pd.DataFrame, sep: str = ",") -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, sep=sep)
    return buf.getvalue().encode("utf-8")


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600), also when it already existed with a wider mode:
    the presence file holds passport numbers in clear (synthetic, but read like real ones)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
    finally:
        if fd >= 0:
            os.close(fd)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate and load the synthetic demo dataset.")
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    ap.add_argument(
        "--scale", type=float, default=1.0, help="people x N (1 = the published volumes)"
    )
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument(
        "--out", type=Path, default=LOCAL / "demo", help="folder for the generated CSV files"
    )
    ap.add_argument("--no-load", action="store_true", help="only write the files")
    args = ap.parse_args(argv)

    data = generate(args.seed, args.scale)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, df in data.items():
        sep = ";" if kind == "presence" else ","  # presence as Indonesian spreadsheets export it
        files[kind] = args.out / f"demo_{kind}.csv"
        write_private(files[kind], to_csv_bytes(df, sep))
        print(f"{kind}: {len(df):,} rows -> {files[kind]}")
    if args.no_load:
        return 0

    from loaders.pipeline import import_file
    from loaders.reader import Limits
    from storage.engine import get_engine
    from storage.schema import upgrade

    engine = get_engine(args.db)
    upgrade(engine)
    worst = 0
    for kind, path in files.items():
        res = import_file(
            engine,
            path.read_bytes(),
            path.name,
            kind,
            mode="partial",
            user="demo",
            is_demo=True,
            limits=Limits(max_rows=10_000_000),
        )
        print(f"{kind}: {res.summary('en')}")
        worst = max(worst, res.exit_code)
    from loaders.thresholds import load_rules
    from storage.alerts_store import evaluate_and_store

    print(f"alerts: {evaluate_and_store(engine, rules=load_rules(), actor='demo')}")
    return worst


if __name__ == "__main__":
    sys.exit(main())
