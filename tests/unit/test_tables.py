"""Stored tables as people read them (ui.tables): headers, words for codes, WITA times, blanks."""

import datetime as dt

import pandas as pd

from ui.tables import STATUS_WORDS, readable


def test_a_follow_up_history_reads_in_words_with_wita_times():
    stored = pd.DataFrame(
        {
            "from_status": [None, "baru"],
            "to_status": ["baru", "selesai"],
            "changed_by": ["analis", "admin"],
            "changed_at": [dt.datetime(2024, 11, 27, 16, 0), dt.datetime(2024, 11, 28, 1, 30)],
            "note": [None, "diserahkan ke Polda"],
        }
    )
    shown = readable(stored, STATUS_WORDS)
    assert list(shown.columns) == [
        "Dari status",
        "Menjadi",
        "Diubah oleh",
        "Waktu (WITA)",
        "Catatan",
    ]
    assert shown.values.tolist() == [
        ["", "Baru", "analis", "28/11/2024 00:00", ""],  # 16:00 UTC is midnight in NTB
        ["Baru", "Selesai", "admin", "28/11/2024 09:30", "diserahkan ke Polda"],
    ]


def test_times_already_carrying_a_zone_are_converted_not_shifted_twice():
    aware = pd.DataFrame({"at": [pd.Timestamp("2024-11-27 08:00", tz="Asia/Makassar")]})
    assert readable(aware).values.tolist() == [["27/11/2024 08:00"]]
