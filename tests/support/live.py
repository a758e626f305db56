"""The app under gunicorn on a free loopback port, as production runs it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT, free_port


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path
    own_process_group: bool = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL the master and all its workers at the same instant, as a crash or the OOM
        killer would: no request is finished, no connection closed, nothing flushed. Returns
        once the port is closed, i.e. no process of the server is left."""
        if not self.own_process_group:
            raise RuntimeError("kill() needs start_gunicorn(..., own_process_group=True)")
        with contextlib.suppress(ProcessLookupError):  # the whole group had already ended
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        port = int(self.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except ConnectionRefusedError:
                return
            time.sleep(0.05)
        raise RuntimeError(f"port {port} still open 10 s after SIGKILL:\n{self.log()}")


# An access log line: the worker's pid, the request line and the status.
ACCESS_LOG_FORMAT = '%(p)s "%(r)s" %(s)s'


def start_gunicorn(
    env: dict[str, str],
    log_path: Path,
    *,
    workers: int = 2,
    own_process_group: bool = False,
    access_log: bool = False,
) -> LiveServer:
    """Start `gunicorn wsgi:app` with `env` added to the environment; wait until it answers.

    With `own_process_group`, the master and its workers form a process group of their own,
    so `kill()` can SIGKILL them all at once. It is not the default: outside the terminal's
    foreground group, gunicorn would not get the SIGINT of a Ctrl-C that stops the tests.
    With `access_log`, the log says which worker answered each request (ACCESS_LOG_FORMAT).
    """
    port = free_port()
    access_logging = ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
    if not access_log:
        access_logging = []
    # The server's own address is its public one unless the test says otherwise.
    env = {"FORSLAG_PUBLIC_URL": f"http://127.0.0.1:{port}", **env}
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            "--error-logfile",
            "-",
            *access_logging,
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0 if own_process_group else None,
    )
    log.close()
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path, own_process_group)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 30 s:\n{server.log()}")
