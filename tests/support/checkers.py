"""The page checkers: axe-core in Chromium, and the Nu HTML Checker on the markup."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from functools import cache

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
    """The Nu HTML Checker as a local HTTP service: one JVM for the whole session."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                "java",
                "-Xss4m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/?out=json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Nu HTML Checker did not start")
            try:
                self.errors("<!doctype html><html lang=en><title>t</title></html>")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        self.close()
        raise RuntimeError("the Nu HTML Checker did not answer within 60 s")

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
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def describe_html_errors(errors: list[dict]) -> str:
    return "\n".join(
        f"line {e.get('lastLine')}: {e.get('message')} [{e.get('extract', '').strip()}]"
        for e in errors
    )


def _is_expected_document_error(message) -> bool:
    """A page deliberately answered with 4xx logs that as a console error: not a fault."""
    url = (message.location or {}).get("url", "")
    return message.text.startswith(
        "Failed to load resource: the server responded with a status of 4"
    ) and not url.endswith((".css", ".js", ".svg"))


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
