"""Reading data tables (CSV, .npy, .npz, Parquet) and writing results for the CLI."""

from __future__ import annotations

import csv
import itertools
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from dfdx.cli._progress import Progress

__all__ = [
    "Table",
    "UserError",
    "as_list",
    "is_number",
    "read_table",
    "select_column",
    "write_csv",
    "write_table",
]

_CHUNK_LINES = 200_000


class UserError(Exception):
    """A problem with the user's input: reported in one line, exit status 1."""


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a float."""
    try:
        float(text)
    except ValueError:
        return False
    return True


#: Fields read as a missing value.
MISSING = ("", "nan", "NaN", "NAN", "NA", "N/A", "n/a", "null", "NULL", "None")


class Table(dict):
    """Columns by name, with ``lines``: the file line number of every row (1-based)."""

    lines: np.ndarray


def _parse_rows(lines: list[str], delimiter: str, width: int, path: Path, first: np.ndarray):
    rows = list(csv.reader(lines, delimiter=delimiter))
    for row, line in zip(rows, first, strict=True):
        if len(row) != width:
            raise UserError(
                f"{path}: line {line} has {len(row)} values but the header names {width} "
                f"columns (delimiter {delimiter!r}; see --delimiter)"
            )
    return np.array(rows, dtype=str).reshape(len(rows), width)


def _column(text: np.ndarray, name: str, lines: np.ndarray, path: Path) -> np.ndarray:
    """Numbers (NaN where missing), else ISO-8601 times (NaT where missing), else strings."""
    text = np.char.strip(text)
    missing = np.isin(text, MISSING)
    filled = np.where(missing, "nan", text)
    try:
        return filled.astype(float)
    except ValueError:
        pass
    times = _iso_times(np.where(missing, "NaT", text))
    if times is not None:
        return times
    if np.count_nonzero(missing) < text.size and is_number(text[~missing][0]):
        bad = next(i for i, v in enumerate(filled) if not is_number(v))
        raise UserError(
            f"{path}: non-numeric value {str(text[bad])!r} in column {name!r} at line {lines[bad]}"
        )
    return text


def _iso_times(text: np.ndarray) -> np.ndarray | None:
    """ISO-8601 timestamps as datetime64 (UTC for offsets such as Z or +01:00), or None."""
    if text.size == 0 or not any(ch in str(text[0]) for ch in "-:T"):
        return None
    try:
        with warnings.catch_warnings():  # offsets (Z, +01:00) are converted to UTC
            warnings.simplefilter("ignore")
            return text.astype("datetime64[ns]")
    except ValueError:
        pass
    try:
        import pandas as pd
    except ImportError:
        return None
    try:
        parsed = pd.to_datetime(pd.Series(text).replace("NaT", None), utc=True, format="ISO8601")
    except (ValueError, TypeError):
        return None
    return parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")


def _read_csv(path: Path, delimiter: str = ",") -> Table:
    size = os.path.getsize(path)
    with open(path, newline="") as fh, Progress(f"reading {path.name}", size) as bar:
        header = fh.readline()
        if not header.strip():
            raise UserError(f"{path}: the file is empty")
        names = [h.strip() for h in next(csv.reader([header], delimiter=delimiter))]
        line = 2
        if all(is_number(v) for v in names):  # no header: columns are numbered
            fh.seek(0)
            names = [str(i) for i in range(len(names))]
            line = 1
        else:
            bar.update(len(header))
        blocks, numbers = [], []
        while True:
            raw = list(itertools.islice(fh, _CHUNK_LINES))
            if not raw:
                break
            kept = np.array([i for i, ln in enumerate(raw) if ln.strip()], dtype=np.int64)
            at = line + kept
            blocks.append(_parse_rows([raw[i] for i in kept], delimiter, len(names), path, at))
            numbers.append(at)
            line += len(raw)
            bar.update(sum(len(ln) for ln in raw))
    if not blocks or not sum(b.shape[0] for b in blocks):
        raise UserError(f"{path}: no data rows")
    data = np.concatenate(blocks)
    lines = np.concatenate(numbers)
    table = Table((n, _column(data[:, i], n, lines, path)) for i, n in enumerate(names))
    table.lines = lines
    return table


def read_table(path: Any, delimiter: str = ",") -> Table:
    """Read columns from a CSV (header optional), ``.npy``, ``.npz`` or Parquet file.

    CSV fields may be numbers, ISO-8601 timestamps or missing (empty, ``nan``,
    ``NA``, ...: NaN or NaT); ``lines`` gives the file line of every row.
    """
    table = _read_any(Path(path), delimiter)
    if not isinstance(table, Table):
        table = Table(table)
    if not hasattr(table, "lines"):
        size = len(next(iter(table.values()))) if table else 0
        table.lines = np.arange(1, size + 1)
    return table


def _read_any(path: Path, delimiter: str) -> dict[str, np.ndarray]:
    if not path.exists():
        raise UserError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        arr = np.load(path, allow_pickle=False)
        if arr.ndim == 1:
            return {"0": arr}
        if arr.ndim != 2:
            raise UserError(f"{path}: expected a 1-D or 2-D array, got {arr.ndim}-D")
        return {str(i): arr[:, i] for i in range(arr.shape[1])}
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as npz:
            return {k: np.asarray(npz[k]).ravel() for k in npz.files}
    if suffix in (".parquet", ".pq"):
        try:
            import pandas as pd
        except ImportError:
            raise UserError(
                "reading Parquet needs pandas (and pyarrow): pip install pandas"
            ) from None
        try:
            frame = pd.read_parquet(path)
        except ImportError as exc:  # pandas without a Parquet engine (pyarrow)
            raise UserError(f"reading Parquet needs a Parquet engine: {exc}") from None
        return {str(c): frame[c].to_numpy() for c in frame.columns}
    return _read_csv(path, delimiter)


def select_column(table: dict[str, np.ndarray], name: str, role: str) -> np.ndarray:
    """The column called ``name`` (or numbered ``name``): float, or datetime64 for times.

    Missing values stay NaN (NaT for times); the caller decides what to do.
    """
    if name not in table:
        hint = ""
        if len(table) == 1 and any(c in next(iter(table)) for c in ";\t| ,"):
            hint = "; the header reads as one column: set the separator with --delimiter"
        raise UserError(
            f"missing column {name!r} for {role}; available columns: {', '.join(table)}{hint}"
        )
    col = np.asarray(table[name])
    if col.dtype.kind == "M":
        return col
    if col.dtype.kind not in "biuf":
        raise UserError(f"column {name!r} ({role}) is not numeric (dtype {col.dtype})")
    return col.astype(float)


def write_table(path: Any, columns: dict[str, np.ndarray], delimiter: str = ",") -> None:
    """Write columns to ``.csv``, ``.npz`` or ``.json`` (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        np.savez(path, **columns)
    elif suffix == ".json":
        path.write_text(json.dumps({k: as_list(v) for k, v in columns.items()}))
    else:
        write_csv(path, columns, delimiter)


def iso_strings(arr: np.ndarray) -> list[str]:
    """Times as ISO-8601 strings, all in the coarsest unit (from seconds) that keeps them exact."""
    for unit in ("s", "ms", "us", "ns"):
        coarse = arr.astype(f"datetime64[{unit}]")
        if np.array_equal(coarse.astype(arr.dtype), arr, equal_nan=True):
            return np.datetime_as_string(coarse).tolist()
    return np.datetime_as_string(arr).tolist()


def as_list(values: Any) -> list:
    """A column as a JSON-ready list (times as ISO-8601 strings)."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return iso_strings(arr)
    return arr.tolist()


def _texts(values: Any) -> list[str]:
    """Shortest round-trip text of every value (``repr`` of floats), times in ISO 8601."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return iso_strings(arr)
    if arr.dtype.kind == "b":
        return ["1" if v else "0" for v in arr.tolist()]
    if arr.dtype.kind in "iu":
        return [str(v) for v in arr.tolist()]
    return [repr(float(v)) for v in arr.astype(float).tolist()]


def write_csv(target: Any, columns: dict[str, np.ndarray], delimiter: str = ",") -> None:
    """Write columns as CSV with a header line to a path or an open text file.

    Floats are written in their shortest form that reads back to the same
    value (``0.1``, not ``0.10000000000000001``).
    """
    texts = [_texts(v) for v in columns.values()]
    body = [delimiter.join(row) for row in zip(*texts, strict=True)]
    text = "\n".join([delimiter.join(columns), *body]) + "\n"
    if hasattr(target, "write"):
        target.write(text)
    else:
        Path(target).write_text(text)
