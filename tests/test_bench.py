"""bench/generate at a tiny scale, so the benchmark's data generator cannot rot: it fills
an empty database with every state and counters equal to their rows."""

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from tests.support import ROOT

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
