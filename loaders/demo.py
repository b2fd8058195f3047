"""Realistic synthetic demo data, 1 Jun 2024 – 28 Feb 2025, loaded through the analysts' import path.

    python -m loaders.demo [--db URL] [--scale N] [--seed S] [--out DIR] [--no-load]

Deterministic for a seed. Volumes follow the published figures in shared/spec/domain.md (monthly
foreign arrivals at Lombok airport, nationality mix); presence clusters where foreigners really
are (data/reference/demo_hotspots.csv); a small share of permit/activity mismatches; incidents of
every category, with a few election-related ones around the campaign, quiet period and voting day.
Files are written in the upload contract's formats (Indonesian headers for presence, English for
incidents, day-first dates) and imported with `loaders.pipeline`, so the demo exercises the real
pipeline. Every batch is marked demo; the app labels it "DATA DEMO (sintetis)".
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from domain.paths import LOCAL, REFERENCE
from domain.regions import regency_geometries

START, END = dt.date(2024, 6, 1), dt.date(2025, 2, 28)
# Planted so every alert rule has something to show on the demo (all synthetic):
SURGE = (dt.date(2024, 9, 26), dt.date(2024, 9, 30))   # crowd at Kuta–Mandalika (52.02)
GAP = (dt.date(2024, 10, 14), dt.date(2024, 10, 19))   # no reports from the Bima office area
GAP_REGENCIES = ["52.05", "52.06", "52.72"]

# Foreign arrivals at Lombok International Airport per month (domain.md: Jan, Jun–Sep 2024 published;
# the other months interpolated for the demo and marked so here).
MONTHLY_ARRIVALS = {
    (2024, 6): 6893, (2024, 7): 8652, (2024, 8): 8122, (2024, 9): 7461,
    (2024, 10): 7100, (2024, 11): 6400, (2024, 12): 7600,  # interpolated (demo)
    (2025, 1): 4958,  # Jan 2024 figure reused for Jan 2025 (demo)
    (2025, 2): 5000,  # interpolated (demo)
}
# Nationality mix: Jan 2024 top five published (Malaysia 1,920, Singapore 384, China 295, UK 250,
# Germany 218 of 4,958); the rest spread over the usual Lombok source markets (demo).
NATIONALITY_MIX = {
    "MYS": 0.30, "AUS": 0.12, "SGP": 0.07, "CHN": 0.06, "GBR": 0.06, "DEU": 0.05, "FRA": 0.04,
    "NLD": 0.04, "USA": 0.04, "JPN": 0.02, "KOR": 0.02, "ITA": 0.02, "ESP": 0.02, "CHE": 0.015,
    "NZL": 0.015, "RUS": 0.02, "IND": 0.015, "SWE": 0.01, "CAN": 0.01, "THA": 0.01, "PHL": 0.01,
    "VNM": 0.005, "NAM": 0.002, "IRL": 0.008,
}
ASEAN = {"MYS", "SGP", "THA", "PHL", "VNM", "BRN", "KHM", "LAO", "MMR"}
CATEGORIES = ["overstay", "penyalahgunaan_izin", "bekerja_tanpa_izin", "kegiatan_politik", "ketertiban_umum",
              "dokumen_palsu", "kepabeanan", "pertambangan_ilegal", "lingkungan", "narkotika", "kriminal_lain",
              "lainnya"]
CATEGORY_WEIGHTS = [14, 16, 10, 3, 8, 3, 4, 4, 4, 3, 5, 6]
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


def _days() -> pd.DatetimeIndex:
    return pd.date_range(START, END, freq="D")


def _fmt(d) -> str:
    return d.strftime("%d/%m/%Y")


def hotspots() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "demo_hotspots.csv", dtype={"regency_code": str})


def _jitter_inside(rng, spots: pd.DataFrame, idx: np.ndarray, km: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around their hotspot, kept inside the hotspot's regency."""
    lat = spots["lat"].to_numpy()[idx] + rng.normal(0, km / 111, len(idx))
    lon = spots["lon"].to_numpy()[idx] + rng.normal(0, km / 111, len(idx))
    geoms = regency_geometries()
    codes = spots["regency_code"].to_numpy()[idx]
    for code in np.unique(codes):
        m = codes == code
        inside = shapely.contains_xy(geoms[code], lon[m], lat[m])
        sel = np.flatnonzero(m)[~inside]
        lat[sel] = spots["lat"].to_numpy()[idx][sel]
        lon[sel] = spots["lon"].to_numpy()[idx][sel]
    return lat.round(5), lon.round(5)


def presence(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    spots = hotspots()
    nat_codes = np.array(list(NATIONALITY_MIX))
    nat_p = np.array(list(NATIONALITY_MIX.values()))
    nat_p = nat_p / nat_p.sum()
    frames = []
    for day in _days():
        monthly = MONTHLY_ARRIVALS[(day.year, day.month)]
        # ~1 presence report per 3 arrivals per day at scale 1 (groups carry person_count)
        n = rng.poisson(scale * monthly / day.days_in_month / 3)
        if n == 0:
            continue
        weights = spots["weight"].to_numpy(dtype=float).copy()
        if SURGE[0] <= day.date() <= SURGE[1]:  # MotoGP weekend crowd at Mandalika
            weights[spots["id"].to_numpy() == "kuta_mandalika"] *= 6
            n = int(n * 1.6)
        if GAP[0] <= day.date() <= GAP[1]:  # the Bima office area sends nothing for a few days
            weights[spots["regency_code"].isin(GAP_REGENCIES).to_numpy()] = 0
        spot = rng.choice(len(spots), n, p=weights / weights.sum())
        prof = spots["profile"].to_numpy()[spot]
        nat = rng.choice(nat_codes, n, p=nat_p)
        # the mine brings Chinese and Australian workers
        mine = prof == "mining"
        nat[mine] = rng.choice(["CHN", "AUS", "PHL", "GBR"], mine.sum(), p=[0.5, 0.3, 0.1, 0.1])
        permit = np.where(np.isin(nat, list(ASEAN)) & (rng.random(n) < 0.7), "BVK",
                          np.where(rng.random(n) < 0.8, "VOA", "ITK"))
        resident = (prof == "mining") | ((prof == "business") & (rng.random(n) < 0.6)) | (rng.random(n) < 0.03)
        permit = np.where(resident, np.where(rng.random(n) < 0.92, "ITAS", "ITAP"), permit)
        activity = np.where(permit == "ITAS", rng.choice(["bekerja", "investasi", "keluarga", "pendidikan"], n,
                                                         p=[0.6, 0.15, 0.2, 0.05]), "wisata")
        activity = np.where((permit != "ITAS") & (prof == "business"), rng.choice(["bisnis", "wisata"], n), activity)
        activity = np.where(permit == "ITAP", "keluarga", activity)
        # a small share of mismatches: work on a visit permit
        mismatch = np.isin(permit, ["BVK", "VOA", "ITK"]) & (rng.random(n) < 0.006)
        activity = np.where(mismatch, "bekerja", activity)
        stay = rng.integers(2, 20, n)
        arrival = pd.to_datetime(day) - pd.to_timedelta(rng.integers(0, 10, n), unit="D")
        valid_days = np.where(permit == "ITAS", 365, np.where(permit == "ITAP", 1800, 30))
        expiry = arrival + pd.to_timedelta(valid_days - 1, unit="D")
        # a few overstays: reported after the permit expired
        over = (permit == "VOA") & (rng.random(n) < 0.004)
        expiry = expiry.where(~over, pd.to_datetime(day) - pd.to_timedelta(rng.integers(1, 75, n), unit="D"))
        arrival = arrival.where(~over, expiry - pd.Timedelta(days=29))
        lat, lon = _jitter_inside(rng, spots, spot)
        has_point = rng.random(n) < 0.55
        frames.append(pd.DataFrame({
            "tanggal_laporan": _fmt(day),
            "kabupaten_kota": spots["regency_code"].to_numpy()[spot],
            "kewarganegaraan": nat,
            "jenis_izin": permit,
            "kegiatan": activity,
            "no_paspor": [f"{a}{b:07d}" for a, b in zip(rng.choice(list("ABCEKMNPX"), n), rng.integers(0, 10**7, n))],
            "jumlah_orang": np.where(rng.random(n) < 0.75, 1, rng.integers(2, 6, n)),
            "tanggal_masuk": [_fmt(d) for d in arrival],
            "tanggal_habis_izin": [_fmt(d) for d in expiry],
            "lokasi": spots["name"].to_numpy()[spot],
            "lintang": np.where(has_point, lat.astype(str), ""),
            "bujur": np.where(has_point, lon.astype(str), ""),
            "sumber": rng.choice(["APOA", "hotel", "patroli", "laporan"], n, p=[0.55, 0.3, 0.1, 0.05]),
            "stay": stay,
        }))
    df = pd.concat(frames, ignore_index=True).drop(columns="stay")
    # Regency as analysts write it: codes, names and short forms mixed
    names = {"52.01": "Lobar", "52.02": "Lombok Tengah", "52.03": "LOTIM", "52.08": "KLU",
             "52.07": "KSB", "52.71": "Kota Mataram", "52.72": "Kota Bima", "52.04": "Kab. Sumbawa"}
    df["kabupaten_kota"] = [names.get(c, c) if i % 3 else c for i, c in enumerate(df["kabupaten_kota"])]
    df.insert(0, "no_register", [f"APOA-{i:07d}" if s == "APOA" else "" for i, s in enumerate(df["sumber"])])
    # political activity by a handful of foreigners during the campaign (Mataram, Lombok Tengah, Bima)
    days = pd.date_range("2024-10-20", "2024-11-26")
    n_pol = max(4, int(round(8 * scale)))
    where = rng.choice(["52.71", "52.02", "52.72", "52.06"], n_pol)
    pol = df.sample(n_pol, random_state=int(rng.integers(1 << 30))).copy()
    pol["tanggal_laporan"] = [_fmt(d) for d in days[rng.integers(0, len(days), n_pol)]]
    pol["kabupaten_kota"], pol["kegiatan"], pol["no_register"] = where, "politik", ""
    pol["lintang"], pol["bujur"], pol["lokasi"] = "", "", ""
    return pd.concat([df, pol], ignore_index=True)


def incidents(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    spots = hotspots()
    days = _days()
    n = int(round(260 * scale))
    cat = rng.choice(CATEGORIES, n, p=np.array(CATEGORY_WEIGHTS) / sum(CATEGORY_WEIGHTS))
    day = days[rng.integers(0, len(days), n)]
    spot = rng.choice(len(spots), n, p=spots["weight"] / spots["weight"].sum())
    # mining and environment incidents happen at the mine and in Sumbawa, not in the Gilis
    mining = np.isin(cat, ["pertambangan_ilegal", "lingkungan"])
    spot[mining] = rng.choice(spots.index[spots["regency_code"].isin(["52.07", "52.04", "52.05", "52.06"])], mining.sum())
    severity = rng.choice([1, 2, 3, 4, 5], n, p=[0.15, 0.35, 0.3, 0.15, 0.05])
    election = np.zeros(n, dtype=bool)
    # election-related incidents cluster around the campaign, quiet period and voting day
    n_el = max(6, int(round(18 * scale)))
    el_days = pd.to_datetime(rng.choice(
        pd.date_range("2024-10-01", "2024-11-30").to_numpy(), n_el,
        p=_election_weights(pd.date_range("2024-10-01", "2024-11-30"))))
    el_cat = rng.choice(["kegiatan_politik", "ketertiban_umum", "dokumen_palsu", "penyalahgunaan_izin"], n_el,
                        p=[0.45, 0.25, 0.15, 0.15])
    el_spot = rng.choice(spots.index[spots["regency_code"].isin(["52.71", "52.02", "52.06", "52.72", "52.01"])], n_el)
    # and on voting day itself, in Mataram and Kota Bima
    el_days = pd.DatetimeIndex(list(el_days) + [pd.Timestamp("2024-11-27")] * 2)
    el_cat = np.concatenate([el_cat, ["kegiatan_politik", "ketertiban_umum"]])
    el_spot = np.concatenate([el_spot, spots.index[spots["id"].isin(["mataram", "kota_bima"])].to_numpy()])
    n_el += 2
    cat = np.concatenate([cat, el_cat])
    day = np.concatenate([day.to_numpy(), el_days.to_numpy()])
    spot = np.concatenate([spot, el_spot])
    severity = np.concatenate([severity, rng.choice([3, 4, 5], n_el, p=[0.4, 0.4, 0.2])])
    election = np.concatenate([election, np.ones(n_el, dtype=bool)])
    m = len(cat)
    lat, lon = _jitter_inside(rng, spots, spot, km=3)
    has_point = rng.random(m) < 0.7
    status = rng.choice(["baru", "ditelaah", "ditindaklanjuti", "selesai"], m, p=[0.2, 0.25, 0.25, 0.3])
    late = pd.to_datetime(day) > pd.Timestamp("2025-02-01")
    status = np.where(late, rng.choice(["baru", "ditelaah"], m), status)
    action = np.where(np.isin(cat, ["overstay", "penyalahgunaan_izin"]),
                      rng.choice(["denda", "deportasi", "peringatan", "penangkalan"], m, p=[0.35, 0.3, 0.25, 0.1]),
                      rng.choice(["pemantauan", "diserahkan", ""], m, p=[0.4, 0.4, 0.2]))
    nat = rng.choice(list(NATIONALITY_MIX), m, p=np.array(list(NATIONALITY_MIX.values())) / sum(NATIONALITY_MIX.values()))
    nat = np.where(np.isin(cat, ["overstay", "penyalahgunaan_izin"]) & (rng.random(m) < 0.4), "CHN", nat)
    df = pd.DataFrame({
        "incident_id": [f"KJD-{i:05d}" for i in range(m)],
        "incident_date": [_fmt(d) for d in pd.to_datetime(day)],
        "regency": spots["regency_code"].to_numpy()[spot],
        "category": cat,
        "severity": severity,
        "nationality": nat,
        "persons": np.where(rng.random(m) < 0.8, 1, rng.integers(2, 8, m)),
        "description": [DESCRIPTIONS[c] for c in cat],
        "lat": np.where(has_point, lat.astype(str), ""),
        "lon": np.where(has_point, lon.astype(str), ""),
        "reported_by": rng.choice(["Imigrasi", "Polda NTB", "Kodim", "BIN", "Disnakertrans", "Bea Cukai", "Masyarakat"], m),
        "responsible_agency": "",
        "action": action,
        "status": status,
        "election_related": np.where(election, "ya", "tidak"),
    })
    order = np.argsort(df["incident_date"].map(lambda s: s[6:] + s[3:5] + s[:2]).to_numpy(), kind="stable")
    return df.iloc[order].reset_index(drop=True)


def _election_weights(days: pd.DatetimeIndex) -> np.ndarray:
    w = np.ones(len(days))
    w[(days >= "2024-11-20") & (days <= "2024-11-28")] = 6  # run-up, quiet period, voting day
    return w / w.sum()


def crossings(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    rows = []
    top = ["MYS", "SGP", "CHN", "GBR", "DEU", "AUS"]
    share = np.array([0.387, 0.077, 0.06, 0.05, 0.044, 0.12])
    for day in _days():
        monthly = MONTHLY_ARRIVALS[(day.year, day.month)] * scale
        daily = monthly / day.days_in_month
        counts = rng.poisson(daily * share)
        for nat, c in zip(top, counts):
            rows.append((_fmt(day), "lop_lombok_airport", "datang", nat, int(c)))
        rows.append((_fmt(day), "lop_lombok_airport", "datang", "", int(rng.poisson(daily * (1 - share.sum())))))
        rows.append((_fmt(day), "lop_lombok_airport", "berangkat", "", int(rng.poisson(daily * 0.97))))
        if rng.random() < 0.08:  # a cruise call at Gili Mas
            rows.append((_fmt(day), "lembar_port", "datang", "", int(rng.integers(300, 1500) * scale)))
        if rng.random() < 0.3:  # crews and engineers for the mine at Benete
            rows.append((_fmt(day), "benete_port", "datang", "", int(rng.integers(5, 40) * scale)))
    return pd.DataFrame(rows, columns=["date", "port", "direction", "nationality", "count"])


def generate(seed: int = 2024, scale: float = 1.0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    return {"presence": presence(rng, scale), "incidents": incidents(rng, scale), "crossings": crossings(rng, scale)}


def to_csv_bytes(df: pd.DataFrame, sep: str = ",") -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, sep=sep)
    return buf.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate and load the synthetic demo dataset.")
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=LOCAL / "demo", help="folder for the generated CSV files")
    ap.add_argument("--no-load", action="store_true", help="only write the files")
    args = ap.parse_args(argv)

    data = generate(args.seed, args.scale)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, df in data.items():
        sep = ";" if kind == "presence" else ","  # presence as Indonesian spreadsheets export it
        files[kind] = args.out / f"demo_{kind}.csv"
        files[kind].write_bytes(to_csv_bytes(df, sep))
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
        res = import_file(engine, path.read_bytes(), path.name, kind, mode="partial", user="demo",
                          is_demo=True, limits=Limits(max_rows=10_000_000))
        print(f"{kind}: {res.summary('en')}")
        worst = max(worst, res.exit_code)
    from storage.alerts_store import evaluate_and_store

    print(f"alerts: {evaluate_and_store(engine, actor='demo')}")
    return worst


if __name__ == "__main__":
    sys.exit(main())
