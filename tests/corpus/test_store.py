"""The Parquet store and the raw archive in process: writes read back as written, copy-on-write keeps old files,
compaction keeps rows, and the archive's ledger survives what a crash or a disk does to it."""

from __future__ import annotations

import gzip
from datetime import date

import pyarrow.parquet as pq
import pytest

from corpus.archive import ARCHIVED, DEAD, LocalRawStore, RawArchive
from corpus.listing_cache import ListingCache
from corpus.store import carry_over, compact_table, read_rows, table_files, to_table, unreadable_files, write_table
from tests.conftest import SAMPLE, raw_path

BODY = raw_path(SAMPLE, 1751008, "0000000000-20-012628").read_bytes()


def failure(accession: str, reason: str = "HTTP 503") -> dict:
    return {"accession_number": accession, "cik": 1, "form_type": "UPLOAD", "stage": "crawl", "status": "dead",
            "reason": reason, "url": "u", "http_status": 503}


def filing(accession: str, cik: int, day: date) -> dict:
    return {"accession_number": accession, "cik": cik, "form_type": "UPLOAD", "filing_date": day, "year": day.year}


def test_a_partitioned_table_is_written_per_year_and_read_back_sorted(tmp_path):
    rows = [filing("0000000000-24-000002", 2, date(2024, 3, 1)), filing("0000000000-23-000001", 1, date(2023, 1, 5)),
            filing("0000000000-24-000001", 1, date(2024, 1, 2))]
    write_table(tmp_path, "filings", to_table("filings", rows))
    assert [p.parent.name for p in table_files(tmp_path, "filings")] == ["year=2023", "year=2024"]
    back = read_rows(tmp_path, "filings").to_pylist()
    assert [r["accession_number"] for r in back] == ["0000000000-23-000001", "0000000000-24-000001",
                                                     "0000000000-24-000002"]
    assert [r["accession_number"] for r in read_rows(tmp_path, "filings", ciks=[2]).to_pylist()] == [
        "0000000000-24-000002"]


def test_carry_over_links_untouched_files_and_rewrites_only_changed_ones(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    write_table(old, "filings", to_table("filings", [filing("0000000000-23-000001", 1, date(2023, 1, 5))]),
                "part-a.parquet")
    write_table(old, "filings", to_table("filings", [filing("0000000000-24-000001", 1, date(2024, 1, 2))]),
                "part-a.parquet")
    added = to_table("filings", [filing("0000000000-24-000009", 3, date(2024, 6, 1))])
    carry_over(old, new, "filings", "accession_number", set(), added, "part-b.parquet")
    files = {p.relative_to(new).as_posix(): p for p in table_files(new, "filings")}
    assert sorted(files) == ["filings/year=2023/part-a.parquet", "filings/year=2024/part-a.parquet",
                             "filings/year=2024/part-b.parquet"]
    assert files["filings/year=2023/part-a.parquet"].stat().st_ino == (
        old / "filings/year=2023/part-a.parquet").stat().st_ino  # a hard link, not a copy
    assert compact_table(new, "filings") == 1
    assert len(read_rows(new, "filings")) == 3


def test_an_unreadable_parquet_file_is_found(tmp_path):
    write_table(tmp_path, "failures", to_table("failures", [failure("0000000000-24-000001")]))
    path = table_files(tmp_path, "failures")[0]
    assert unreadable_files(tmp_path) == []
    path.write_bytes(path.read_bytes()[:40])
    assert [p for p, _why in unreadable_files(tmp_path)] == [path]


def test_a_file_without_a_column_added_later_reads_it_as_nulls(tmp_path):
    table = to_table("failures", [failure("0000000000-24-000001")])
    path = tmp_path / "failures" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(table.drop_columns(["http_status"]), path)
    assert read_rows(tmp_path, "failures").to_pylist()[0]["http_status"] is None


def test_the_archive_stores_reads_and_quarantines(tmp_path):
    archive = RawArchive(tmp_path)
    archive.store_filing(accession="0000000000-20-012628", cik=1751008, form_type="UPLOAD", url="u", body=BODY,
                         http_status=200, fetched_at="2026-12-01T00:00:00+00:00")
    row = archive.rows(ARCHIVED)[0]
    assert archive.read(row) == BODY
    path = LocalRawStore(tmp_path).path(1751008, "0000000000-20-012628")
    path.write_bytes(gzip.compress(BODY[:100]))
    with pytest.raises(ValueError, match="checksum"):
        archive.read(row)
    archive.mark_damaged(row, "checksum")
    assert archive.rows()[0].status == DEAD and not path.exists()
    assert archive.settled_accessions() == set()
    archive.close()


def test_a_name_from_the_network_never_picks_a_path(tmp_path):
    with pytest.raises(ValueError):
        LocalRawStore(tmp_path).path(1, "../../etc/passwd")


def test_files_without_a_ledger_row_are_adopted_and_broken_ones_set_aside(tmp_path):
    store = LocalRawStore(tmp_path)
    store.put(1751008, "0000000000-20-012628", BODY)
    store.root.joinpath("1751008", "0000000000-21-000001.txt.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    archive = RawArchive(tmp_path)
    assert archive.recover() == 1
    assert [r.accession_number for r in archive.rows(ARCHIVED)] == ["0000000000-20-012628"]
    assert list((store.root / ".quarantine").rglob("0000000000-21-000001*"))
    archive.close()


def test_a_damaged_ledger_is_moved_aside_and_rebuilt(tmp_path):
    LocalRawStore(tmp_path).put(1751008, "0000000000-20-012628", BODY)
    (tmp_path / "ledger.sqlite").write_bytes(b"garbage" * 1000)
    archive = RawArchive(tmp_path)
    assert archive.replaced_ledger is not None and archive.replaced_ledger.exists()
    assert [r.accession_number for r in archive.rows(ARCHIVED)] == ["0000000000-20-012628"]
    archive.close()


def test_the_listing_cache_keeps_and_forgets_by_path_not_host(tmp_path):
    cache = ListingCache(tmp_path)
    cache.put("https://www.sec.gov/Archives/edgar/full-index/2024/QTR1/form.gz", b"body", "Mon, 01 Apr 2024 GMT")
    mirror = "http://127.0.0.1:8765/Archives/edgar/full-index/2024/QTR1/form.gz"
    assert cache.get(mirror) == b"body" and cache.last_modified(mirror) == "Mon, 01 Apr 2024 GMT"
    assert list(cache.entries()) == [("/Archives/edgar/full-index/2024/QTR1/form.gz", b"body")]
    cache.drop(mirror)
    assert cache.get(mirror) is None and cache.last_modified(mirror) is None
