"""Reading data tables (CSV, .npy, .npz, Parquet) and writing results for the CLI."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from dfdx.cli._progress import Progress

__all__ = ["UserError", "read_table", "select_column", "write_csv", "write_table"]

_CHUNK_LINES = 200_000


class UserError(Exception):
    """A problem with the user's input: reported in one line, exit status 1."""


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_block(lines: list[str], names: list[str], path: Path, first_row: int) -> np.ndarray:
    try:
        block = np.loadtxt(io.StringIO("".join(lines)), delimiter=",", ndmin=2, dtype=float)
    except ValueError as exc:
        raise UserError(f"{path}: non-numeric data near row {first_row + 1}: {exc}") from None
    if block.shape[1] != len(names):
        raise UserError(
            f"{path}: rows have {block.shape[1]} values but the header names {len(names)} columns"
        )
    return block


def _read_csv(path: Path) -> dict[str, np.ndarray]:
    size = os.path.getsize(path)
    with open(path, newline="") as fh, Progress(f"reading {path.name}", size) as bar:
        header = fh.readline()
        if not header.strip():
            raise UserError(f"{path}: the file is empty")
        names = [h.strip() for h in next(csv.reader([header]))]
        if all(_is_number(v) for v in names):  # no header: columns are numbered
            fh.seek(0)
            names = [str(i) for i in range(len(names))]
        bar.update(len(header))
        blocks, row = [], 0
        while True:
            lines = [ln for ln in itertools.islice(fh, _CHUNK_LINES) if ln.strip()]
            if not lines:
                break
            blocks.append(_parse_block(lines, names, path, row))
            row += len(lines)
            bar.update(sum(len(ln) for ln in lines))
    if not blocks:
        raise UserError(f"{path}: no data rows")
    data = np.concatenate(blocks)
    return {name: data[:, i] for i, name in enumerate(names)}


def read_table(path: Any) -> dict[str, np.ndarray]:
    """Read columns from a CSV (header optional), ``.npy``, ``.npz`` or Parquet file."""
    path = Path(path)
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
    return _read_csv(path)


def select_column(table: dict[str, np.ndarray], name: str, role: str) -> np.ndarray:
    """The column called ``name`` (or numbered ``name``) as float, with clear errors."""
    if name not in table:
        raise UserError(
            f"missing column {name!r} for {role}; available columns: {', '.join(table)}"
        )
    col = np.asarray(table[name])
    if col.dtype.kind not in "biuf":
        raise UserError(f"column {name!r} ({role}) is not numeric (dtype {col.dtype})")
    col = col.astype(float)
    if not np.all(np.isfinite(col)) and role == "x":
        raise UserError(f"column {name!r} (x) has missing or non-finite values")
    return col


def write_table(path: Any, columns: dict[str, np.ndarray]) -> None:
    """Write columns to ``.csv``, ``.npz`` or ``.json`` (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        np.savez(path, **columns)
    elif suffix == ".json":
        path.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in columns.items()}))
    else:
        write_csv(path, columns)


def write_csv(target: Any, columns: dict[str, np.ndarray]) -> None:
    """Write columns as CSV with a header line to a path or an open text file."""
    data = np.column_stack([np.asarray(v, dtype=float) for v in columns.values()])
    np.savetxt(target, data, delimiter=",", header=",".join(columns), comments="", fmt="%.17g")
