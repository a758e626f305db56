"""bench/generate, bench/run and bench/notify at a tiny scale, so the benchmarks cannot rot:
the generator fills an empty database with every state and counters equal to their rows,
the run measures every page and finds every acknowledged support stored exactly once, and
the notification run tells every follower once and delivers every mail exactly once."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from tests.support import ROOT, require

# The benchmarks are run on both databases by hand (docs/performance.md); this is their
# smoke test, whose code is the same whichever database is under it.
pytestmark = pytest.mark.once

CONSISTENT = {
    "support_count": "supports",
    "comment_count": "comments",
    "like_count": "proposal_likes",
}

DISCUSSION = {
    "thread_count": "c.parent_id IS NULL",
    "hearing_thread_count": "c.parent_id IS NULL AND c.written_in = 'hearing'",
}


def test_generate_fills_an_empty_database_consistently(empty_database, tmp_path):
    url = empty_database("bench")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FORSLAG_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "bench",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate"), "--scale", "0.002"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "generated in" in result.stdout
    engine = create_engine(url)
    with engine.connect() as db:
        states = {row[0] for row in db.execute(text("SELECT DISTINCT state FROM proposals"))}
        assert len(states) == 10
        assert db.execute(text("SELECT count(*) FROM users")).scalar() == 200
        # One proposal in hearing with an amendment by every other member (200 from scale
        # 0.003), each counter equal to its rows.
        members = db.execute(text("SELECT count(*) FROM users WHERE is_member")).scalar()
        assert db.execute(
            text("SELECT amendment_count FROM proposals WHERE amendment_count > 0")
        ).scalars().all() == [members - 1]
        assert db.execute(text("SELECT count(*) FROM amendments")).scalar() == members - 1
        assert (
            db.execute(
                text(
                    "SELECT count(*) FROM amendments a WHERE a.backer_count != "
                    "(SELECT count(*) FROM amendment_backings b WHERE b.amendment_id = a.id)"
                )
            ).scalar()
            == 0
        )
        assert db.execute(text("SELECT count(*) FROM comments")).scalar() > 1_500
        for column, table in CONSISTENT.items():
            wrong = db.execute(
                text(
                    f"SELECT count(*) FROM proposals p WHERE p.{column} != "  # noqa: S608
                    f"(SELECT count(*) FROM {table} t WHERE t.proposal_id = p.id)"
                )
            ).scalar()
            assert wrong == 0, column
        for column, where in DISCUSSION.items():
            wrong = db.execute(
                text(
                    f"SELECT count(*) FROM proposals p WHERE p.{column} != (SELECT count(*)"  # noqa: S608
                    f" FROM comments c WHERE c.proposal_id = p.id AND {where})"
                )
            ).scalar()
            assert wrong == 0, column
        wrong = db.execute(
            text(
                "SELECT count(*) FROM proposals p"
                " WHERE stance_for + stance_against + stance_abstain"
                " != (SELECT count(*) FROM stances s WHERE s.proposal_id = p.id)"
            )
        ).scalar()
        assert wrong == 0
    engine.dispose()
    profiled = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile"), "/proposals/10000-comments"]
        + ["--member", "--requests", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert profiled.returncode == 0, profiled.stderr[-3000:]
    assert "ms a request" in profiled.stdout and "function calls" in profiled.stdout
    again = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate"), "--scale", "0.002"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode != 0 and "not empty" in again.stderr


def test_run_measures_every_page_and_checks_the_supports(empty_database, tmp_path):
    require(shutil.which("wrk") is not None, "wrk")
    figures = tmp_path / "figures.json"
    env = {**os.environ, "DATABASE_URL": empty_database("benchrun")}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run"),
            "--scale",
            "0.001",
            "--duration",
            "1",
            "--workers",
            "2",
            "--connections",
            "2",
            "--quick",
            "--json",
            str(figures),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(figures.read_text())
    names = [f["name"] for f in report["figures"]]
    assert names == [
        "/healthz",
        "front page",
        "support POST",
        "front page, member",
        "list, member",
        "stance POST",
    ], names
    # --quick measures the first two pages of each group with wrk; every page answered.
    assert {
        "front page",
        "list",
        "detail, 200 comments",
        "detail, 10,000 comments",
        "API list",
        "API detail",
        "front page, member",
        "list, member",
        "detail, 200 comments, member",
        "detail, 10,000 comments, member",
        "detail, 200 amendments",
        "detail, 200 amendments, member",
    } <= set(report["fetched"])
    for figure in report["figures"]:
        assert figure["requests"] > 0 and figure["errors"] == 0, figure
        assert 0 < figure["p50_us"] <= figure["p99_us"], figure
        assert figure["ratio"] > 0
    supports = report["supports"]
    assert supports["acknowledged"] > 0
    assert supports["lost"] == supports["doubled"] == supports["unplanned"] == 0
    assert supports["stored"] == supports["acknowledged"] + supports["in flight at the stop"]
    stances = report["stances"]
    assert stances["acknowledged members"] > 0
    assert stances["lost"] == stances["doubled"] == stances["counter != rows"] == 0
    assert "| support POST" in result.stdout and "/healthz" in result.stdout


def test_notify_reaches_every_follower_and_delivers_each_mail_once(empty_database, tmp_path):
    require(shutil.which("wrk") is not None, "wrk")
    figures = tmp_path / "figures.json"
    env = {**os.environ, "DATABASE_URL": empty_database("benchnotify")}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "notify"),
            "--scale",
            "0.001",
            "--duration",
            "1",
            "--rounds",
            "1",
            "--workers",
            "2",
            "--connections",
            "2",
            "--json",
            str(figures),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(figures.read_text())
    data = report["data"]
    assert data["followers"] == 100 and data["instant followers"] == 20
    assert data["digest people"] == 100 and data["unfollowed"] > 0

    names = [f["name"] for f in report["requests"]]
    assert names == ["/healthz", "outcome POST, its proposer only", "outcome POST, 100 followers"]
    for figure in report["requests"]:
        assert figure["requests"] > 0 and figure["errors"] == 0, figure
        assert 0 < figure["p50_us"] <= figure["p99_us"], figure

    fanout = report["fanout"]
    assert fanout["events"] == 1
    assert fanout["notifications"] == fanout["followers"] == 100
    assert fanout["by email"] == {"instant": 20, "digest": 80}
    assert fanout["instant mails queued"] == 20
    assert fanout["seconds"] > 0 and fanout["costs"]["statements"]

    digests = report["digests"]
    assert digests["made"] == digests["people"] == 100
    # Two waiting notifications each, and the outcome for the 80 who get digests.
    assert digests["notifications in them"] == 280
    assert digests["notifications left waiting"] == 0

    for phase, count in (("instant delivery", 20), ("digest delivery", 100)):
        check = report[phase]
        assert check["mails"] == check["sent"] == check["arrived"] == count, phase
        assert check["arrived twice"] == check["never arrived"] == check["unexpected"] == 0
        assert check["wrong address"] == check["not stamped sent"] == 0
        assert check["failed"] == check["deferred"] == 0
        assert check["per_s"] > 0
    assert "| outcome POST" in result.stdout and "digest run" in result.stdout


def test_opendata_streams_every_file_and_reads_the_worker_memory(empty_database, tmp_path):
    figures = tmp_path / "figures.json"
    env = {**os.environ, "DATABASE_URL": empty_database("benchopendata")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "opendata"), "--scale", "0.001"]
        + ["--rounds", "1", "--json", str(figures)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(figures.read_text())
    files = [f["file"] for f in report["figures"]]
    assert files == ["proposals.csv", "events.csv", "support-daily.csv", "stances-daily.csv"]
    proposals = report["figures"][0]
    assert proposals["rows"] == report["public_proposals"] > 0
    for figure in report["figures"]:
        assert figure["seconds"] > 0 and figure["rss_before_mib"] > 0, figure
        assert figure["rss_peak_mib"] is None or figure["rss_peak_mib"] >= figure["rss_after_mib"]
    assert "| proposals.csv |" in result.stdout


def test_search_bench_times_every_search(tmp_path):
    """bench/search on SQLite at a tiny scale (the PostgreSQL run leaves it to this one)."""
    if os.environ.get("TEST_DATABASE_URL"):
        import pytest

        pytest.skip("bench/search makes databases of its own; the SQLite run checks it")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    figures = tmp_path / "search.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search"), "--scales", "0.001"]
        + ["--repeat", "1", "--json", str(figures)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(figures.read_text())["0.001"]
    assert report["list, q=busser (common)"]["found"] > 0
    assert all(figure["median_ms"] > 0 for figure in report.values())
    assert "| API, q=cykel* (prefix) |" in result.stdout


def test_pdf_bench_times_the_catalogue_and_a_proposal(tmp_path):
    """bench/pdf on SQLite with three proposals (the PostgreSQL run leaves it to this one)."""
    if os.environ.get("TEST_DATABASE_URL"):
        import pytest

        pytest.skip("bench/pdf makes a database of its own; the SQLite run checks it")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    figures = tmp_path / "pdf.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pdf"), "--proposals", "3", "--repeat", "1"]
        + ["--json", str(figures)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(figures.read_text())
    assert report["proposals"] == 3
    for name in ("proposal_pdf", "catalogue_pdf", "catalogue_file"):
        assert report[name]["median_s"] > 0 and report[name]["bytes"] > 0, name
    if shutil.which("pdftotext"):
        assert report["catalogue_pdf"]["pages"] >= 2 + 3  # cover, contents, a page each
    assert report["catalogue_pdf"]["rss_peak_mib"] >= report["catalogue_pdf"]["rss_before_mib"]
    # Two languages, each with the whole catalogue, its topics' and an unknown topic's; then
    # nothing to do; then the files that show the proposal whose stances changed.
    topics = 8
    assert report["worker_first_run"]["made"] == 2 * (1 + topics + 1)
    assert report["worker_unchanged"]["made"] == 0
    assert report["worker_one_change"]["made"] == 2 * 2
    assert "| the catalogue's PDF (the worker, nothing kept) |" in result.stdout
    assert "| one proposal's stances changed |" in result.stdout
