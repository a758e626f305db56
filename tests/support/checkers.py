"""The page checkers: axe-core in Chromium, and the Nu HTML Checker on the markup."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from functools import cache
from pathlib import Path

from tests.support import NODE_MODULES, free_port

AXE_PATH = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page in its current state; return the WCAG 2.1 A/AA violations.

    The script is evaluated through the DevTools protocol, so the page's
    Content-Security-Policy (no inline script) stays in force.
    """
    page.evaluate(_axe_source())
    # Only the violations are gathered in full (the passes would be listed node by node).
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: tags, resultTypes: ['violations']}))"
        ".violations",
        WCAG_TAGS,
    )


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text()


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return "\n".join(lines)


def java_available() -> bool:
    return shutil.which("java") is not None and VNU_JAR.exists()


class NuChecker:
    """The Nu HTML Checker as a local HTTP service: one JVM for the whole test run.

    The first test process to need it starts it (under a lock in `shared`, a folder all
    of the run's processes know) and writes down its port; the others use the same one. It
    outlives the process that started it, since another may still be checking pages: the
    run's main process stops it at the end (`stop_shared`). Without `shared`, it is this
    process's own and `close()` stops it.

    Java compiles with its quick compiler only (C1): the checker's start costs 7 s of CPU
    instead of 12-16, and a few hundred checks half the CPU they took with C2 at work.
    """

    STATE = "vnu.json"

    def __init__(self, shared: Path | None = None) -> None:
        self.owned = shared is None
        if shared is None:
            self.port, self.process = self._start()
            self._wait(self.process.pid)
        else:
            self.process = None
            self.port, pid = self.launch(shared)
            self._wait(pid)

    @classmethod
    def launch(cls, shared: Path) -> tuple[int, int]:
        """Start the run's shared checker unless it is started; its port and process id.
        It does not wait for the checker to answer: a process that will need it starts it
        as soon as it knows, and the first check waits for what is left of its start."""
        shared.mkdir(parents=True, exist_ok=True)
        with (shared / "vnu.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = shared / cls.STATE
            if not state.exists():
                port, process = cls._start()
                state.write_text(json.dumps({"port": port, "pid": process.pid}))
            started = json.loads(state.read_text())
        return started["port"], started["pid"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?out=json"

    @staticmethod
    def _start() -> tuple[int, subprocess.Popen]:
        port = free_port()
        process = subprocess.Popen(
            [
                "java",
                "-XX:TieredStopAtLevel=1",
                "-Xss4m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return port, process

    def _wait(self, pid: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if _is_gone(pid):
                raise RuntimeError("the Nu HTML Checker did not start")
            try:
                self.errors("<!doctype html><html lang=en><title>t</title></html>")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        _stop(pid)
        raise RuntimeError("the Nu HTML Checker did not answer within 90 s")

    def errors(self, html: str) -> list[dict]:
        request = urllib.request.Request(
            self.url,
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [m for m in messages if m.get("type") in ("error", "non-document-error")]

    def close(self) -> None:
        """Stop the checker if this process owns it alone; a shared one is left running."""
        if self.owned:
            _stop(self.process.pid)
            self.process.wait()

    @classmethod
    def stop_shared(cls, shared: Path) -> None:
        """Stop the run's shared checker, if one was started."""
        state = shared / cls.STATE
        if state.exists():
            _stop(json.loads(state.read_text())["pid"])
            state.unlink()


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _is_gone(pid):
            time.sleep(0.1)
        if not _is_gone(pid):
            os.kill(pid, signal.SIGKILL)


def _is_gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for its parent counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def describe_html_errors(errors: list[dict]) -> str:
    return "\n".join(
        f"line {e.get('lastLine')}: {e.get('message')} [{e.get('extract', '').strip()}]"
        for e in errors
    )


def _is_expected_document_error(message) -> bool:
    """A page deliberately answered with 4xx (or 503: a PDF still being made) logs that as
    a console error: not a fault."""
    url = (message.location or {}).get("url", "")
    answered = "Failed to load resource: the server responded with a status of "
    return message.text.startswith((answered + "4", answered + "503")) and not url.endswith(
        (".css", ".js", ".svg")
    )


def watch(tab, *, dismiss: bool = False) -> list[str]:
    """Record what injected script would cause in `tab`: dialogs, page errors, console
    errors (a Content-Security-Policy refusal is one). The list fills as it happens.
    Dialogs are dismissed only when told to: one listener per tab should."""
    seen: list[str] = []

    def dialog(d) -> None:
        seen.append(f"dialog opened: {d.message}")
        if dismiss:
            d.dismiss()

    tab.on("dialog", dialog)
    tab.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    tab.on(
        "console",
        lambda m: (
            seen.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not _is_expected_document_error(m)
            else None
        ),
    )
    return seen
