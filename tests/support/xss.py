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
    # They would set a marker the tests read back (window.__xss, document.title), not only
    # open a dialog.
    '<img src=x onerror="window.__xss=1">',
    "<script>document.title='PWNED'</script>",
    "[klik](javascript:window.__xss=1)",
    # They would fire only on interaction: hover, focus, click.
    '<a href="#" onclick="window.__xss=1">klik</a>',
    '<div onmouseover="window.__xss=1">hold musen her</div>',
    '<form><button formaction="javascript:window.__xss=1">Send</button></form>',
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>klik</text></a></svg>',
    "<a href=# onfocus=alert(1) tabindex=1>fokus</a>",
    "<a href=javascript&colon;alert(1)>klik</a>",
    # They try to break out of an attribute value (search fields, topic names, hidden inputs).
    '" autofocus onfocus=alert(1) x="',
    "' autofocus onfocus=alert(1) x='",
    '" onmouseover="window.__xss=1',
    '"><svg onload=alert(1)>',
    "&quot; onmouseover=alert(1) x=&quot;",
    # Known mutation-XSS shapes, and script hidden in a URL's spelling.
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi><table><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) '
    'src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
    '<a href=" &#14;  javascript:alert(1)">klik</a>',
    # More Markdown link and image tricks.
    "[klik](<javascript:alert(1)>)",
    "[klik](&#x6A;avascript:alert(1))",
    "[klik](https://example.org 'a\" onmouseover=\"alert(1)')",
    "[![billede](https://example.org/x.png)](javascript:alert(1))",
    '## Overskrift {: onclick="alert(1)" }',
    # For the Atom feed (XML) and the JSON API.
    ']]><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>',
    '"});alert(1);//\u2028alert(1)\u2029//',
]

# More of each kind. Not in VECTORS, which tests put one proposal per four vectors on a
# single list page of 20 (tests/browser/test_proposal_journey.py): 80 is what fits.
MORE_VECTORS = [
    "<a href=\"javascript:document.title='PWNED'\">klik</a>",
    '<svg><animate onbegin="window.__xss=1" attributeName=x dur=1s>',
    "<button onclick=alert(1)>Tryk</button>",
    "<x contenteditable onblur=alert(1)>skriv her</x>",
    "<a href=x oncontextmenu=alert(1) onauxclick=alert(1)>højreklik</a>",
    "<div draggable=true ondragstart=alert(1)>træk</div>",
    'x" style="position:fixed;top:0;left:0;width:100%;height:100%" onmouseover="alert(1)',
    "` onmouseover=alert(1) x=`",
    "'\"--></style></script><script>alert(1)</script>",
    "&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;",
    "<noscript><style></noscript><img src=x onerror=alert(1)>",
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    '<? foo="><script>alert(1)</script>">',
    '<a/href="javascript:alert(1)">klik</a>',
    '<img """><script>alert(1)</script>">',
    "<<img src=x onerror=alert(1)//<",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<a href="java\nscript:alert(1)">klik</a>',
    "<svg><script href=data:,alert(1) />",
    "[klik](java&#x0A;script:alert(1))",
    '[klik][r]\n\n[r]: https://example.org/ "titel\\" onmouseover=alert(1) \\""',
    '[klik](#"onmouseover="alert(1))',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "*<script>*alert(1)*</script>*",
    "[klik](https://example.org){: onclick=alert(1) }",
    'www.example.org/"onmouseover=alert(1)',
    "https://example.org/<script>alert(1)</script>",
    '[klik](mailto:x@example.org?subject="><script>alert(1)</script>)',
    '[klik](https://example.org "<script>alert(1)</script>")',
    "~~~\n</code></pre><script>alert(1)</script>\n~~~",
    "    <script>alert(1)</script>",
    "\\<script>alert(1)\\</script>",
    '<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>',
    '<?xml-stylesheet type="text/xsl" href="data:,"?>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
    '</summary><link href="javascript:alert(1)"/><summary>',
    "{{7*7}}{% raw %}${7*7}#{7*7}",
]

ALL_VECTORS = VECTORS + MORE_VECTORS

_DANGEROUS_URL = re.compile(r"^(javascript|vbscript|data):", re.I)
# Browsers drop these from a URL before they read its scheme ("java\tscript:" is script).
_URL_NOISE = re.compile(r"[\x00-\x20]")
_DANGEROUS_TAGS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "style",
        "img",
        "image",
        "video",
        "audio",
        "source",
        "form",
        "input",
        "button",
        "base",
        "meta",
        "link",
        "details",
        "body",
        "template",
        "isindex",
        "marquee",
        "animate",
        "set",
        "use",
    }
)
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster"}
)


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if (
                name in _URL_ATTRIBUTES
                and value
                and _DANGEROUS_URL.match(_URL_NOISE.sub("", value))
            ):
                self.problems.append(f"{tag}[{name}={value!r}]")
            if name in ("style", "srcdoc"):
                self.problems.append(f"{tag}[{name}]")

    handle_startendtag = handle_starttag


def dangerous_markup(html: str) -> list[str]:
    """The tags and attributes in `html` through which script could run."""
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems
