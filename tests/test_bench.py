"""bench/generate and bench/run at a tiny scale, so the benchmark cannot rot: the generator
fills an empty database with every state and counters equal to their rows, and the run
measures every page and finds every acknowledged support stored exactly once."""

import json
import os
import shutil
import subprocess
import sys

from sqlalchemy import create_engine, text

from tests.support import ROOT, require

CONSISTENT = {
    "support_count": "supports",
    "comment_count": "comments",
    "like_count": "proposal_likes",
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
        assert db.execute(text("SELECT count(*) FROM comments")).scalar() > 1_500
        for column, table in CONSISTENT.items():
            wrong = db.execute(
                text(
                    f"SELECT count(*) FROM proposals p WHERE p.{column} != "  # noqa: S608
                    f"(SELECT count(*) FROM {table} t WHERE t.proposal_id = p.id)"
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
    assert names[0] == "/healthz" and "support POST" in names
    assert {"front page", "list", "detail, 200 comments", "API list", "API detail"} <= set(names)
    for figure in report["figures"]:
        assert figure["requests"] > 0 and figure["errors"] == 0, figure
        assert 0 < figure["p50_us"] <= figure["p99_us"], figure
        assert figure["ratio"] > 0
    supports = report["supports"]
    assert supports["acknowledged"] > 0
    assert supports["lost"] == supports["doubled"] == supports["unplanned"] == 0
    assert supports["stored"] == supports["acknowledged"] + supports["in flight at the stop"]
    assert "| support POST" in result.stdout and "/healthz" in result.stdout
