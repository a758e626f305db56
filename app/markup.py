"""render_markdown(): the one place that turns what people write into HTML.

Called once, when text is saved; the stored HTML is returned as Markup, so templates
never need `|safe`. Raw HTML in the source is shown as text, never interpreted, and the
result passes an allow-list: nothing else survives.
"""

from __future__ import annotations

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "em",
        "strong",
        "ul",
        "ol",
        "li",
        "a",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


class _ImagesAsLinksAndFlatHeadings(Treeprocessor):
    """Images become links to them (pages embed nothing from elsewhere), and headings
    deeper than h4 stay h4."""

    def run(self, root):
        for element in root.iter():
            if element.tag == "img":
                element.tag = "a"
                element.text = element.attrib.pop("alt", "") or element.get("src", "")
                element.attrib = {"href": element.get("src", "")}
            elif element.tag in ("h5", "h6"):
                element.tag = "h4"


class _Forslag(markdown.Extension):
    """Treat raw HTML as text (`<b>` is shown as `<b>`, not made bold); see above."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_ImagesAsLinksAndFlatHeadings(md), "forslag", 0)


def _link_rel(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href:
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        lambda source: LinkifyFilter(source, callbacks=[_link_rel], skip_tags={"pre", "code"})
    ],
)


def render_markdown(text: str | None) -> Markup:
    """Markdown to sanitised HTML. Headings start at h2: the page owns its h1."""
    if not text or not text.strip():
        return Markup("")
    html = markdown.markdown(
        text,
        extensions=[
            _Forslag(),
            "markdown.extensions.tables",
            "markdown.extensions.fenced_code",
            "markdown.extensions.sane_lists",
            "markdown.extensions.toc",
        ],
        extension_configs={
            "markdown.extensions.toc": {"baselevel": 2, "anchorlink": False, "permalink": False}
        },
        output_format="html",
    )
    cleaned = _CLEANER.clean(html)
    # Cleaned by the allow-list above: the one place user text becomes markup.
    return Markup(cleaned)  # noqa: S704  # nosec B704
