import io
import json

import numpy as np
import pytest

from dfdx.cli._io import UserError, read_table, select_column, write_table
from dfdx.cli._progress import Progress


def test_csv_with_and_without_header(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("t, y\n0,1\n1,2\n\n2,4\n")
    table = read_table(p)
    assert list(table) == ["t", "y"]
    np.testing.assert_array_equal(table["y"], [1, 2, 4])
    q = tmp_path / "b.csv"
    q.write_text("0,1\n1,2\n")
    assert list(read_table(q)) == ["0", "1"]


def test_npy_npz_and_round_trip(tmp_path):
    np.save(tmp_path / "a.npy", np.c_[np.arange(3.0), np.arange(3.0) ** 2])
    assert list(read_table(tmp_path / "a.npy")) == ["0", "1"]
    np.savez(tmp_path / "b.npz", x=np.arange(4.0), y=np.ones(4))
    assert set(read_table(tmp_path / "b.npz")) == {"x", "y"}
    cols = {"x": np.arange(3.0), "d": np.array([0.1, 0.2, 0.3])}
    for suffix in (".csv", ".npz"):
        write_table(tmp_path / f"o{suffix}", cols)
        back = read_table(tmp_path / f"o{suffix}")
        np.testing.assert_array_equal(back["d"], cols["d"])
    write_table(tmp_path / "o.json", cols)
    assert json.loads((tmp_path / "o.json").read_text())["d"] == [0.1, 0.2, 0.3]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "the file is empty"),
        ("x,y\n", "no data rows"),
        ("x,y\n1,2\n2,abc\n", "non-numeric value 'abc' in column 'y' at line 3"),
        ("x,y\n1,2,3\n", "line 2 has 3 values but the header names 2 columns"),
    ],
)
def test_csv_errors(tmp_path, content, match):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(UserError, match=match):
        read_table(p)


def test_missing_file_and_column_errors(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    np.save(tmp_path / "c.npy", np.zeros((2, 2, 2)))
    with pytest.raises(UserError, match="expected a 1-D or 2-D array, got 3-D"):
        read_table(tmp_path / "c.npy")
    table = {"t": np.arange(3.0), "s": np.array(["a", "b", "c"]), "n": np.array([0, np.nan, 1])}
    with pytest.raises(UserError, match="missing column 'q' for y; available columns: t, s, n"):
        select_column(table, "q", "y")
    with pytest.raises(UserError, match="column 's' \\(y\\) is not numeric"):
        select_column(table, "s", "y")
    # missing values stay NaN: the data command reports or drops them (--dropna)
    assert np.isnan(select_column(table, "n", "x")[1])


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_quiet_off_a_terminal_and_draws_on_one():
    quiet = io.StringIO()
    with Progress("work", 10, stream=quiet, delay=0.0) as bar:
        bar.update(5)
    assert quiet.getvalue() == ""
    tty = _Tty()
    with Progress("work", 10, stream=tty, delay=0.0) as bar:
        bar.update(5)
    text = tty.getvalue()
    assert "work [" in text
    assert " 50.0%" in text
    assert text.rstrip().endswith("100.0%")


def test_progress_waits_before_drawing():
    tty = _Tty()
    with Progress("short", 10, stream=tty, delay=60.0) as bar:
        bar.update(10)
    assert tty.getvalue() == ""


def test_parquet_goes_through_pandas_with_clear_errors(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")  # pandas is optional for the CLI, never required
    path = tmp_path / "d.parquet"
    path.write_bytes(b"not really parquet")

    def fake_reader(p):
        assert p == path
        return pd.DataFrame({"t": [0.0, 1.0], "v": [1.0, 2.0]})

    monkeypatch.setattr(pd, "read_parquet", fake_reader)
    table = read_table(path)
    np.testing.assert_array_equal(table["v"], [1.0, 2.0])

    def no_engine(p):
        raise ImportError("Unable to find a usable engine; tried using: 'pyarrow'")

    monkeypatch.setattr(pd, "read_parquet", no_engine)
    with pytest.raises(UserError, match="reading Parquet needs a Parquet engine"):
        read_table(path)
