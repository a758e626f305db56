"""schemathesis, generating requests from /api/v1/openapi.json against the live server,
finds no server error, no undocumented status and no response that breaks the schema."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.proposals import lifecycle as lc

pytestmark = pytest.mark.live


def test_schemathesis_finds_no_failure(live_server, make_proposal, tmp_path):
    for state in (lc.HEARING, lc.REVISION, lc.SUPPORT, lc.WITHDRAWN, lc.DRAFT):
        make_proposal(state)
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "--no-color",
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "15",
            "--workers",
            "1",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Tested: 3" in result.stdout
