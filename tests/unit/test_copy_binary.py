"""storage/copy_binary.py makes the bytes psycopg's row-by-row binary COPY makes (no server
needed: psycopg's own dumpers, row by row, are the reference)."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer

from storage import copy_binary

INT8, INT4, INT2, TEXT, VARCHAR, BYTEA, DATE, FLOAT8, FLOAT4, BOOL = (
    20,
    23,
    21,
    25,
    1043,
    17,
    1082,
    701,
    700,
    16,
)


def _dumper(oid: int):
    tx = Transformer()
    tx.set_dumper_types([oid], pq.Format.BINARY)
    return lambda v: tx.dump_sequence([v], [PyFormat.BINARY])[0]


def _row_by_row(columns: list[np.ndarray], oids: list[int]) -> bytes:
    """What psycopg's write_row sends for these rows (its binary format, row by row)."""
    tx = Transformer()
    tx.set_dumper_types(oids, pq.Format.BINARY)
    out = bytearray()
    for row in zip(*(c.tolist() for c in columns)):
        out += len(row).to_bytes(2, "big")
        for b in tx.dump_sequence(row, [PyFormat.BINARY] * len(row)):
            out += b"\xff\xff\xff\xff" if b is None else len(b).to_bytes(4, "big") + bytes(b)
    return bytes(out)


def _rows(columns, oids) -> bytes:
    return bytes(copy_binary.rows(columns, oids, [_dumper(o) for o in oids]))


COLUMNS = [
    (INT8, np.arange(7, dtype=np.int64) * 10**12 - 3),
    (INT4, np.array([1, None, 3, -4, 5, 6, 2**31 - 1], dtype=object)),
    (INT2, np.array([1, 2, 3, 4, 5, 6, -7], dtype=object)),
    (INT8, np.array([None] * 7, dtype=object)),
    (TEXT, np.array(["a\\b", None, "ß", "", "\\N", "x\ty", "日本"], dtype=object)),
    (VARCHAR, np.array(["01"] * 7, dtype=object)),
    (BYTEA, np.array([bytes([i]) * 32 for i in range(7)], dtype=object)),
    (BYTEA, np.array([bytearray([i]) * 32 for i in range(6)] + [b"\x07" * 32], dtype=object)),
    (BYTEA, np.array([b"", None, b"x", b"\0" * 40, b"a", b"b", b"c"], dtype=object)),
    (
        DATE,
        np.array(
            [
                dt.date(2024, 9, 22),
                None,
                dt.date(2000, 1, 1),
                dt.date(1999, 12, 31),
                dt.date(2024, 9, 22),
                dt.date(2024, 9, 23),
                None,
            ],
            dtype=object,
        ),
    ),
    (FLOAT8, np.array([1.5, None, float("nan"), -0.0, 1e300, 2.0, 3.0], dtype=object)),
    (FLOAT8, np.array([-8.58, -8.61, -8.5, -9.0, -8.0, -8.3, -8.4])),  # NumPy floats
    (FLOAT8, np.array([1, 2.5, None, 2**53 + 1, -3, 0, None], dtype=object)),  # ints among them
    (FLOAT8, np.array([np.float64(-8.5), None, 1.0, 2.0, 3.0, 4.0, 5.0], dtype=object)),
    (FLOAT4, np.array([1.1, None, 1e-50, 3.4e38, 0.1, -2.5, float("inf")], dtype=object)),
    (FLOAT8, np.array([1.5, True, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=object)),  # a flag: dumped
    (BOOL, np.array([True, False, None, True, True, False, True], dtype=object)),
    (INT8, np.array([1, 2, True, 4, 5, 6, 7], dtype=object)),  # a flag among integers: dumped
]


@pytest.mark.parametrize("oid, values", COLUMNS)
def test_each_column_alone_is_encoded_as_row_by_row(oid, values):
    assert _rows([values], [oid]) == _row_by_row([values], [oid])


def test_rows_of_many_columns_are_encoded_as_row_by_row():
    oids = [o for o, _ in COLUMNS]
    columns = [v for _, v in COLUMNS]
    got = _rows(columns, oids)
    assert got == _row_by_row(columns, oids)
    assert len(got) == 1488 and got[:2] == len(COLUMNS).to_bytes(2, "big")


def test_a_voter_list_piece_is_encoded_as_row_by_row():
    rnd = random.Random(25)
    n = 5000
    oids = [INT8, INT4, INT4, VARCHAR, INT8, DATE, VARCHAR, VARCHAR, VARCHAR, BYTEA, INT8]
    columns = [
        np.arange(1, n + 1, dtype=np.int64),
        np.full(n, 3, dtype=np.int64),
        np.full(n, None, dtype=object),
        np.full(n, None, dtype=object),
        np.array([rnd.getrandbits(63) - 2**62 for _ in range(n)], dtype=object),
        np.array([dt.date(2024, 9, 22)] * n, dtype=object),
        np.array([rnd.choice(["52.01", "52.71"]) for _ in range(n)], dtype=object),
        np.full(n, "DPT", dtype=object),
        np.array([f"{i % 900 + 1:03d}" for i in range(n)], dtype=object),
        np.array([rnd.randbytes(32) for _ in range(n)], dtype=object),
        np.array([rnd.getrandbits(64) - 2**63 for _ in range(n)], dtype=np.int64),
    ]
    assert _rows(columns, oids) == _row_by_row(columns, oids)


@pytest.mark.parametrize(
    "oid, values",
    [
        (INT2, np.array([1, 40_000], dtype=object)),
        (INT4, np.array([1, 2**40], dtype=np.int64)),
        (INT4, np.array([1, 2**40], dtype=object)),
    ],
)
def test_an_integer_out_of_the_columns_range_is_left_to_psycopg(oid, values):
    """As row by row: psycopg's dumper encodes it as it does (the server then refuses it)."""
    assert _rows([values], [oid]) == _row_by_row([values], [oid])


def test_an_integer_beyond_64_bits_fails_as_row_by_row():
    values = np.array([1, 2**70], dtype=object)
    with pytest.raises(Exception) as plain:
        _row_by_row([values], [INT8])
    with pytest.raises(type(plain.value)):
        _rows([values], [INT8])


def test_repeated_text_of_one_width_is_one_block_as_row_by_row():
    """A voter list's regency codes and polling stations (repeated, each of one length) are encoded
    once per distinct value and laid out as one block of fields, not converted value by value."""
    values = np.array([["52.01", "52.71", "52.02"][i % 3] for i in range(3000)], dtype=object)
    field = copy_binary._field(values, VARCHAR, _dumper(VARCHAR))
    assert isinstance(field, np.ndarray) and field.shape == (3000, 9)
    assert bytes(field[1]) == b"\x00\x00\x00\x0552.71"
    assert _rows([values], [VARCHAR]) == _row_by_row([values], [VARCHAR])


@pytest.mark.parametrize(
    "values",
    [
        [["Desa 1", None, "Kec Ampenan", "ß日本", "", "Desa 1"][i % 6] for i in range(3000)],
        [None] * 1500 + ["Desa 7"] * 1500,  # NULLs first, then one value
        [f"Desa {i % 97}" for i in range(3000)],  # widths 6 and 7
        [f"{i}" for i in range(3000)],  # hardly repeats: Arrow's conversion of every value
    ],
)
def test_repeated_text_with_nulls_and_widths_is_encoded_as_row_by_row(values):
    values = np.array(values, dtype=object)
    for oid in (VARCHAR, TEXT):
        assert _rows([values], [oid]) == _row_by_row([values], [oid])


@pytest.mark.parametrize(
    "values",
    [
        [["Desa 1", None, "Kec Ampenan", "ß日本", "", "Desa 1"][i % 6] for i in range(3000)],
        [["001", "012", "300"][i % 3] for i in range(3000)],  # one width: one block
        [None] * 7,
    ],
)
def test_repeated_text_as_a_categorical_is_encoded_as_its_values_row_by_row(values):
    """Repeated text reaches COPY as a Categorical of the validator's codes (loaders.pipeline):
    each category is encoded once and taken by code, NULL for code -1; the same bytes as its
    values row by row, also in pieces (storage.engine.copy_columns slices it)."""
    import pandas as pd

    objects = np.array(values, dtype=object)
    categorical = pd.Categorical(objects)
    assert list(categorical.categories) == sorted({v for v in values if v is not None})
    for oid in (VARCHAR, TEXT):
        assert _rows([categorical], [oid]) == _row_by_row([objects], [oid])
        assert _rows([categorical[1:5]], [oid]) == _row_by_row([objects[1:5]], [oid])
    with_ints = [categorical, np.arange(len(values), dtype=np.int64)]
    assert _rows(with_ints, [VARCHAR, INT8]) == _row_by_row(
        [objects, with_ints[1]], [VARCHAR, INT8]
    )


def test_a_categorical_of_anything_but_text_is_dumped_as_its_values():
    import pandas as pd

    days = [dt.date(2024, 9, 22), None, dt.date(2024, 9, 23)] * 3
    categorical = pd.Categorical(np.array(days, dtype=object))
    objects = np.array(days, dtype=object)
    assert _rows([categorical], [DATE]) == _row_by_row([objects], [DATE])


def test_a_block_of_fixed_width_bytes_is_encoded_as_its_values_row_by_row():
    """A voter list's NIK hashes reach COPY as one block of 32-byte rows (storage.imports:
    copy_binary.fixed_width of their Arrow column): the fields are those of the values."""
    import pandas as pd
    import pyarrow as pa

    rnd = random.Random(3)
    digests = [rnd.randbytes(32) for _ in range(50)]
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(digests, pa.binary(32))))
    block = copy_binary.fixed_width(column.iloc[5:45])  # an offset into Arrow's buffer
    assert block.shape == (40, 32) and bytes(block[0]) == digests[5]
    ints = np.arange(40, dtype=np.int64)
    objects = np.array(digests[5:45], dtype=object)
    assert _rows([ints, block], [INT8, BYTEA]) == _row_by_row([ints, objects], [INT8, BYTEA])
    with_null = pd.Series(pd.arrays.ArrowExtensionArray(pa.array([b"x" * 32, None], pa.binary(32))))
    assert copy_binary.fixed_width(with_null) is None  # NULLs: given as Python values instead
    assert copy_binary.fixed_width(pd.Series(digests, dtype=object)) is None


def test_dates_without_null_are_one_block_as_row_by_row():
    values = np.array([dt.date(2024, 9, 22), dt.date(2024, 9, 23)] * 20, dtype=object)
    field = copy_binary._field(values, DATE, _dumper(DATE))
    assert isinstance(field, np.ndarray) and field.shape == (40, 8)
    assert _rows([values], [DATE]) == _row_by_row([values], [DATE])
