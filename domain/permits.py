"""Which activities each stay permit (izin tinggal) allows, read from
data/reference/permit_activity.csv so an analyst can correct a rule without touching code.

The file is a closed list of what is allowed, with wildcards and explicit refusals:

    permit,activity,allowed,source
    VOA,wisata,yes,...        an exact pair
    ITAS_KERJA,*,yes,...      every activity on this permit
    *,politik,no,...          this activity on every permit
    ITAS,bekerja,unknown,...  allowed, but whether it is cannot be checked (a bare "ITAS" names no
                              purpose): not a mismatch, counted as "purpose unknown"

The most specific line wins: (permit, activity) > (*, activity) > (permit, *) > (*, *).
A pair that no line covers is **not allowed** (the file lists what each permit allows), so work
(bekerja) on BVK/VOA/ITK is a mismatch because no line allows it, work on a family or remote-work
ITAS is a mismatch because its line says no, and political activity (politik) is a mismatch on
every permit because `*,politik,no` outranks `ITAS_KERJA,*,yes`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from domain.paths import REFERENCE

WILDCARD = "*"
POLITICAL = "politik"  # kegiatan politik / pemilihan: not allowed on any permit
WORK = "bekerja"


def _norm_permit(value) -> str:
    return str(value).strip().upper() if value is not None and not pd.isna(value) else ""


def _norm_activity(value) -> str:
    return str(value).strip().lower() if value is not None and not pd.isna(value) else ""


VERDICTS = ("yes", "no", "unknown")  # the file's `allowed` column


@lru_cache(maxsize=1)
def permit_rules() -> dict[tuple[str, str], str]:
    """(permit, activity) -> 'yes' / 'no' / 'unknown', wildcards kept as '*'. Later lines override
    earlier ones."""
    df = pd.read_csv(REFERENCE / "permit_activity.csv", dtype=str, keep_default_na=False)
    out: dict[tuple[str, str], str] = {}
    for permit, activity, allowed_ in zip(df["permit"], df["activity"], df["allowed"]):
        flag = allowed_.strip().lower()
        if flag not in VERDICTS:
            raise ValueError(
                f"permit_activity.csv: allowed must be one of {'/'.join(VERDICTS)}, got {allowed_!r}"
            )
        p = WILDCARD if permit.strip() == WILDCARD else _norm_permit(permit)
        a = WILDCARD if activity.strip() == WILDCARD else _norm_activity(activity)
        out[(p, a)] = flag
    return out


def verdict(permit: str, activity: str) -> str:
    """'yes', 'no' or 'unknown' for the pair (see the module docstring for precedence); 'no' when
    no line covers it."""
    rules = permit_rules()
    p, a = _norm_permit(permit), _norm_activity(activity)
    for k in ((p, a), (WILDCARD, a), (p, WILDCARD), (WILDCARD, WILDCARD)):
        if k in rules:
            return rules[k]
    return "no"


def allowed(permit: str, activity: str) -> bool:
    """True when the permit allows the activity, or may (purpose unknown): not a mismatch."""
    return verdict(permit, activity) != "no"


def _verdicts(permits: pd.Series, activities: pd.Series) -> pd.Series:
    """`verdict` per row, worked out once per distinct (permit, activity) pair: a million rows hold
    a few dozen pairs."""
    permits = pd.Series(permits)
    p_codes, p_values = pd.factorize(permits.to_numpy(dtype=object), use_na_sentinel=False)
    a_codes, a_values = pd.factorize(
        pd.Series(activities).to_numpy(dtype=object), use_na_sentinel=False
    )
    codes, pairs = pd.factorize(p_codes * max(len(a_values), 1) + a_codes)
    width = max(len(a_values), 1)
    verdicts = np.array(
        [verdict(p_values[k // width], a_values[k % width]) for k in pairs], dtype=object
    )
    return pd.Series(verdicts[codes], index=permits.index, dtype=object)


def allowed_many(permits: pd.Series, activities: pd.Series) -> pd.Series:
    """Vectorised `allowed`: one bool per row, same index as `permits`."""
    return _verdicts(permits, activities).ne("no").astype(bool).rename("allowed")


def purpose_unknown_many(permits: pd.Series, activities: pd.Series) -> pd.Series:
    """Rows whose permit names no purpose for what they do (a bare ITAS with work): not mismatches,
    counted apart so the office can ask the sponsor."""
    return _verdicts(permits, activities).eq("unknown").astype(bool).rename("purpose_unknown")


# A mismatch of each kind is the incident category whose route (data/reference/agency_routing.csv)
# says who acts: political activity is election law first; work on the wrong permit and any other
# misuse are stay-permit matters.
KIND_CATEGORY = {
    POLITICAL: "kegiatan_politik",
    WORK: "bekerja_tanpa_izin",
    "lainnya": "penyalahgunaan_izin",
}


def mismatch_kind(activity: str) -> str:
    """What kind of misuse a not-allowed activity is: 'politik', 'bekerja' or 'lainnya'."""
    a = _norm_activity(activity)
    return a if a in (POLITICAL, WORK) else "lainnya"
