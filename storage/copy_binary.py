"""PostgreSQL's binary COPY format made a column at a time with Arrow's kernels, for
storage.engine.copy_columns: the same bytes psycopg's `write_row` makes row by row, without a
Python call per row (4M voter-list rows: psycopg spent ~5 s of this process's time encoding them,
longer than the server took to store them).

The format (PostgreSQL documentation, "COPY", binary format): a signature and two 32-bit zeros;
per row a 16-bit field count, then per field its length as a 32-bit big-endian integer (-1: NULL)
and its bytes; at the end a 16-bit -1. Each column becomes its rows' fields (length and bytes):
a 2-D NumPy block when they all have one width (integers, floats without NULL, 32-byte hashes,
dates, codes of one length), else an Arrow binary array. Neighbouring blocks are laid side by side,
the rest joined row by row (`binary_join_element_wise`), and the joined data is the rows, one
after the other. Integers, floats, fixed-width bytes and text are encoded here (repeated text once
per distinct value); every other value (dates, flags, anything unusual) by psycopg's own dumper
for the column's type, once per distinct value where the values can be grouped, else one by one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from storage.engine import driver_values

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
NULL = b"\xff\xff\xff\xff"  # a field's length -1
_NOTHING = pa.scalar(b"", pa.large_binary())

INTEGERS = {21: ">i2", 23: ">i4", 20: ">i8"}  # int2, int4, int8 (oid: big-endian dtype)
FLOATS = {701: ">f8", 700: ">f4"}  # float8, float4 (oid: big-endian dtype)
TEXT = {25, 1043, 1042}  # text, varchar, bpchar: UTF-8 (the connection's encoding, checked)
BYTEA = 17


def rows(columns: list[np.ndarray], oids: list[int], dumpers: list) -> memoryview:
    """The binary COPY rows (no signature, no trailer) of equally long `columns` (NumPy arrays,
    None for NULL; fixed_width's 2-D blocks of bytes; or pandas Categoricals of repeated text);
    `oids`: each column's type; `dumpers`: each column's value -> bytes (psycopg's binary dumper
    for that type)."""
    n = len(columns[0])
    count = np.full(n, len(columns), dtype=">i2").view(np.uint8).reshape(n, 2)
    fields = [count, *(_field(c, oid, dump) for c, oid, dump in zip(columns, oids, dumpers))]
    # Neighbouring fields of one width each (numbers, hashes, dates, codes of one length) are laid
    # side by side as one block; only fields of varying width are joined row by row by Arrow.
    parts: list = []
    for f in fields:
        if isinstance(f, np.ndarray) and parts and isinstance(parts[-1], list):
            parts[-1].append(f)
        else:
            parts.append([f] if isinstance(f, np.ndarray) else f)
    parts = [np.hstack(p) if isinstance(p, list) else p for p in parts]
    if len(parts) == 1:  # every field of one width: the block is the rows
        return memoryview(np.ascontiguousarray(parts[0])).cast("B")
    arrays = [_fixed(p) if isinstance(p, np.ndarray) else p for p in parts]
    joined = pc.binary_join_element_wise(*arrays, _NOTHING)
    joined = joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined
    _, offsets, data = joined.buffers()
    at = np.frombuffer(offsets, dtype=np.int64 if _large(joined) else np.int32)
    at = at[joined.offset : joined.offset + len(joined) + 1]
    return memoryview(data)[at[0] : at[-1]]


def fixed_width(column: pd.Series) -> np.ndarray | None:
    """A column of Arrow fixed-size binary values (a voter list's 32-byte NIK hashes) without
    null as a 2-D uint8 block, one value a row, without a copy; None for any other column."""
    dtype = column.dtype
    if not (
        isinstance(dtype, pd.ArrowDtype) and pa.types.is_fixed_size_binary(dtype.pyarrow_dtype)
    ):
        return None
    values = pa.array(column)  # the Arrow array itself (no copy of its values)
    if values.null_count:
        return None
    n, width = len(values), values.type.byte_width
    data = np.frombuffer(values.buffers()[1], dtype=np.uint8)
    return data[values.offset * width : (values.offset + n) * width].reshape(n, width)


def _large(array: pa.Array) -> bool:
    return pa.types.is_large_binary(array.type)


def _fixed(block: np.ndarray) -> pa.Array:
    """A binary array of a 2-D uint8 block's rows (each row one value of the block's width)."""
    n, width = block.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = pa.py_buffer(np.ascontiguousarray(block))  # no copy: Arrow keeps the array alive
    return pa.Array.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(offsets), data])


def _prefixed(payload: np.ndarray) -> np.ndarray:
    """Fields of fixed-width values: each value's 2-D uint8 row with its length before it."""
    n, width = payload.shape
    block = np.empty((n, 4 + width), dtype=np.uint8)
    block[:, :4] = np.frombuffer(width.to_bytes(4, "big"), dtype=np.uint8)
    block[:, 4:] = payload
    return block


def _field(values: np.ndarray, oid: int, dump) -> np.ndarray | pa.Array:
    """A column's fields: a 2-D uint8 block when they all have one width, else a binary array."""
    if isinstance(values, pd.Categorical):  # repeated text with its codes: each value once
        if oid in TEXT and all(type(u) is str for u in values.categories):
            return _grouped([_text_field(u) for u in values.categories], values.codes)
        values = driver_values(values)
    n = len(values)
    if values.ndim == 2:  # fixed_width's block: bytea of one width, no NULL
        if oid == BYTEA:
            return _prefixed(values)
        values = np.fromiter(map(bytes, values), dtype=object, count=n)
    if values.dtype == object and values[0] is None and np.equal(values, None).all():
        return np.broadcast_to(np.frombuffer(NULL, dtype=np.uint8), (n, 4))  # e.g. no sender ids
    fast = None
    try:
        if oid in INTEGERS:
            fast = _integers(values, INTEGERS[oid])
        elif oid in FLOATS:
            fast = _floats(values, FLOATS[oid])
        elif oid in TEXT and values.dtype == object:
            fast = _text(values)
        elif oid == BYTEA and values.dtype == object:
            fast = _bytes(values)
    except (TypeError, ValueError, OverflowError, pa.ArrowException):
        fast = None  # not what the fast path takes: psycopg's dumper decides, as row by row
    return fast if fast is not None else _dumped(values, dump)


def _integers(values: np.ndarray, dtype: str) -> np.ndarray | None:
    """Integers of no NULL: NumPy's, or Python ints only (no None, no flags, no floats)."""
    if values.dtype.kind not in "iuO":
        return None
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) != "integer":
        return None
    if values.dtype.kind == "u" and len(values) and values.max() > np.iinfo(np.int64).max:
        return None
    wide = np.asarray(values, dtype=np.int64)  # Python ints beyond 64 bits: OverflowError
    narrow = wide.astype(dtype)
    if (narrow.astype(np.int64) != wide).any():  # out of the column's range: psycopg says so
        return None
    return _prefixed(narrow.view(np.uint8).reshape(len(values), -1))


_NUMBERS = (float, int, np.float64, type(None))  # what psycopg's float dumpers take as it is


def _floats(values: np.ndarray, dtype: str) -> np.ndarray | pa.Array | None:
    """Numbers (NumPy's floats, or Python floats and ints) with None as NULL; NaN stays NaN, as
    psycopg sends it. Flags, NumPy scalars in an object array, a float4 out of its range: None
    (the dumper decides, as row by row). 1M coordinates took 0.64 s through the dumper."""
    nulls = None
    if values.dtype == object:
        if not all(type(v) in _NUMBERS for v in values):
            return None
        nulls = np.equal(values, None)
        values = np.where(nulls, 0.0, values).astype(np.float64)
    elif values.dtype.kind not in "fiu":
        return None
    wide = values.astype(np.float64)
    narrow = wide.astype(dtype)
    if (np.isinf(narrow) & ~np.isinf(wide)).any():  # beyond float4: psycopg refuses it
        return None
    field = _prefixed(narrow.view(np.uint8).reshape(len(values), -1))
    if nulls is not None and nulls.any():
        field = pc.if_else(pa.array(nulls), pa.scalar(NULL, pa.large_binary()), _fixed(field))
    return field


def _text(values: np.ndarray) -> np.ndarray | pa.Array:
    """UTF-8 text; None as NULL. Anything but str (or None) raises: the dumper takes it. Text
    that repeats (a list's regency, polling station, village) is encoded once per distinct value
    and its fields taken by code (4M rows: ~0.15 s less a column than Arrow's conversion of
    every Python string); text that hardly repeats (sender ids) through Arrow at once."""
    if len(values) >= 1024 and len(set(values[:1024])) <= 256:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if all(type(u) is str for u in uniques):  # str only (1 and "1" are not grouped)
            missing = codes < 0
            if missing.any() and not np.equal(values[missing], None).all():
                raise TypeError("NaN or NA in text")  # not None: the dumper decides
            return _grouped([_text_field(u) for u in uniques], codes)
    text = pa.array(values, pa.large_string(), from_pandas=False)
    utf8 = text.cast(pa.large_binary())
    lengths = pc.binary_length(utf8).fill_null(0).to_numpy().astype(">i4")
    prefix = _fixed(lengths.view(np.uint8).reshape(len(values), 4))
    joined = pc.binary_join_element_wise(prefix, utf8.fill_null(_NOTHING), _NOTHING)
    if text.null_count:
        joined = pc.if_else(text.is_null(), pa.scalar(NULL, pa.large_binary()), joined)
    return joined


def _text_field(text: str) -> bytes:
    b = text.encode()
    return len(b).to_bytes(4, "big") + b


def _grouped(fields: list[bytes], codes: np.ndarray) -> np.ndarray | pa.Array:
    """Each row's field, given the distinct values' fields and each row's code (-1: NULL): a
    block when the fields taken have one width, else a binary array."""
    missing = codes < 0
    if missing.any():
        fields, codes = [*fields, NULL], np.where(missing, len(fields), codes)
    widths = {len(f) for f in fields}
    if len(widths) == 1:
        block = np.frombuffer(b"".join(fields), dtype=np.uint8).reshape(len(fields), -1)
        return block[codes]
    return pc.take(pa.array(fields, pa.large_binary()), pa.array(codes))


def _bytes(values: np.ndarray) -> np.ndarray | None:
    """bytes (or bytearray) values of one width (a voter list's 32-byte hashes), no None; else
    None."""
    if not len(values) or not set(map(type, values)) <= {bytes, bytearray}:
        return None
    data = b"".join(values)
    width = len(values[0])
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if (lengths != width).any():
        return None
    return _prefixed(np.frombuffer(data, dtype=np.uint8).reshape(len(values), width))


def _dumped(values: np.ndarray, dump) -> np.ndarray | pa.Array:
    """Fields made by psycopg's dumper: once per distinct value when the values can be grouped
    (dates, repeated values), else one by one."""
    if values.dtype == object:
        python = objects = values
    else:  # NumPy scalars as the Python values row-by-row COPY was given
        python = values.tolist()
        objects = np.empty(len(python), dtype=object)
        objects[:] = python
    if pd.api.types.infer_dtype(objects, skipna=True) == "date":  # datetime.date, or None
        codes, uniques = pd.factorize(objects, use_na_sentinel=True)
        return _grouped([_one(u, dump) for u in uniques], codes)
    # numbers (1 == 1.0 == True), anything else: each value dumped
    return pa.array([_one(v, dump) for v in python], pa.large_binary())


def _one(value, dump) -> bytes:
    if value is None:
        return NULL
    b = bytes(dump(value))
    return len(b).to_bytes(4, "big") + b
