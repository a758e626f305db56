"""Cross-site scripting vectors, and a check that sanitised HTML carries none of them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "<a href='jav&#x09;ascript:alert(1)'>klik</a>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik]( javascript:alert(1) )",
    "[klik](javascript&#58;alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    '[klik]("onmouseover=alert(1))',
    '[klik](https://example.org "title" onmouseover=alert(1))',
    "![billede](javascript:alert(1))",
    '![billede" onerror="alert(1)](x)',
    '![x](https://example.org/x.png" onerror="alert(1))',
    "[a]: javascript:alert(1)\n\n[klik][a]",
    "<javascript:alert(1)>",
    '<http://example.org/" onmouseover="alert(1)>',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "> <script>alert(1)</script>",
    "## <img src=x onerror=alert(1)>",
    "* [x](javascript:alert(1))\n* <svg/onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]

_DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in (
            "script",
            "iframe",
            "object",
            "embed",
            "svg",
            "math",
            "style",
            "img",
            "form",
            "input",
            "base",
            "meta",
            "link",
            "details",
            "body",
        ):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if (
                name in ("href", "src", "action", "formaction", "data")
                and value
                and (_DANGEROUS_URL.match(value.replace("\t", "").replace("\n", "")))
            ):
                self.problems.append(f"{tag}[{name}={value!r}]")
            if name == "style":
                self.problems.append(f"{tag}[style]")


def dangerous_markup(html: str) -> list[str]:
    """The tags and attributes in `html` through which script could run."""
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems
