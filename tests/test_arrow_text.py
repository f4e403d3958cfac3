"""Every Arrow text type reads as plain text: polars and DuckDB hand over string_view through the Arrow C
stream, others large strings, binary or dictionaries of any of them. Interval `auto` reads a few regions'
times with a region filter, the path where string_view once failed ("array_take has no kernel")."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_api import ROWS, same_map

import build_site
from generator.errors import UserError

# interval auto: the times of a few regions are read with a region filter
OPTIONS = {"region": "country", "time": "unixtime", "metric": ["cases", "deaths"], "agg": "sum", "classes": 5}
TEXT_TIMES = ROWS.assign(when=pd.to_datetime(ROWS.unixtime, unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
TYPES = {
    "string_view": pa.string_view(), "large_string": pa.large_string(), "binary": pa.binary(),
    "large_binary": pa.large_binary(), "binary_view": pa.binary_view(),
}


@pytest.fixture(scope="module")
def reference() -> build_site.Map:
    return build_site.choropleth(ROWS, **OPTIONS)


def typed(kind: pa.DataType, dictionary: bool) -> pa.Table:
    """ROWS with the region codes as `kind` (dictionary-encoded if asked) and the times as text of that kind."""
    table = pa.Table.from_pandas(TEXT_TIMES, preserve_index=False)
    codes = table.column("country").cast(kind)
    if dictionary:
        codes = pa.chunked_array([c.dictionary_encode() for c in codes.chunks])
    table = table.set_column(table.schema.get_field_index("country"), "country", codes)
    return table.set_column(table.schema.get_field_index("when"), "when", table.column("when").cast(kind))


@pytest.mark.parametrize("dictionary", [False, True], ids=["plain", "dictionary"])
@pytest.mark.parametrize("kind", TYPES)
def test_every_arrow_text_type_reads_as_text(kind: str, dictionary: bool, reference: build_site.Map) -> None:
    table = typed(TYPES[kind], dictionary)
    assert pa.types.is_dictionary(table.schema.field("country").type) == dictionary
    same_map(build_site.choropleth(table, **OPTIONS), reference)
    same_map(build_site.choropleth(table.to_reader(), **{**OPTIONS, "time": "when"}), reference)


def polars_frame() -> pl.DataFrame:
    return pl.from_pandas(TEXT_TIMES)


SOURCES: dict[str, Callable[[], object]] = {
    "polars": polars_frame,
    "polars, categorical codes": lambda: polars_frame().with_columns(pl.col("country").cast(pl.Categorical)),
    "polars, binary codes": lambda: polars_frame().with_columns(pl.col("country").cast(pl.Binary)),
}


@pytest.mark.parametrize("kind", SOURCES)
@pytest.mark.parametrize("time", ["unixtime", "when"])
def test_polars_string_views(kind: str, time: str, reference: build_site.Map) -> None:
    """polars exports text as string_view (binary_view, dictionaries of string_view)."""
    data = SOURCES[kind]()
    exported = pa.RecordBatchReader.from_stream(data).schema
    assert pa.types.is_string_view(exported.field("when").type)
    same_map(build_site.choropleth(data, **{**OPTIONS, "time": time}), reference)


def test_the_gapminder_call_of_the_issue() -> None:
    """polars with a region filter (`auto` finds the step of years) and a mean, as in issue 20."""
    years = pl.DataFrame({"iso_alpha": ["FRA", "DEU", "BRA"] * 3, "year": [1952] * 3 + [1957] * 3 + [1962] * 3,
                          "gdpPercap": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]})
    m = build_site.choropleth(years, region="iso_alpha", time="year", metric=["gdpPercap"], agg="mean")
    assert m.meta["frames"] == 3 and m.report["rows"] == 9


def test_duckdb_string_views(reference: build_site.Map) -> None:
    con = duckdb.connect()
    con.execute("SET produce_arrow_string_view = true")
    con.execute("SET arrow_output_version = '1.5'")
    con.register("rows", TEXT_TIMES)
    relation = con.sql("SELECT country, unixtime, \"when\", cases, deaths FROM rows")
    assert pa.types.is_string_view(pa.RecordBatchReader.from_stream(relation).schema.field("country").type)
    same_map(build_site.choropleth(con.sql("SELECT * FROM relation"), **OPTIONS), reference)


def test_a_parquet_file_of_large_strings(tmp_path: Path, reference: build_site.Map) -> None:
    pq.write_table(typed(pa.large_string(), False), tmp_path / "rows.parquet", store_schema=True)
    same_map(build_site.choropleth(tmp_path / "rows.parquet", **OPTIONS), reference)


def test_bytes_that_are_not_text_say_so() -> None:
    table = pa.Table.from_pandas(ROWS, preserve_index=False)
    codes = pa.array([b"\xff\xfe"] * len(ROWS), pa.binary())
    table = table.set_column(table.schema.get_field_index("country"), "country", codes)
    with pytest.raises(UserError, match="column 'country' holds bytes that are not UTF-8 text"):
        build_site.choropleth(table, **OPTIONS)
