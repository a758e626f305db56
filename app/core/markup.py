"""render_markdown(): the one place that turns what people write into HTML.

Called once, when text is saved; the stored HTML is returned as Markup, so templates
never need `|safe`. Raw HTML in the source is shown as text, never interpreted, and the
result passes an allow-list: nothing else survives.

What one save may cost is bounded too, whatever is written. Python-Markdown and the
sanitiser spend about the same on each element they make (a paragraph, a list item, an
emphasis, a link, an escaped "&"), so a text is Markdown up to a number of the characters
that make elements (`_MARK`), and the rest, from the blank line before that point, is shown
as plain paragraphs. A text people write stays far below it. And where Python-Markdown's own
work grows with the square of the text (links, code spans, unclosed code fences) or with
nesting, it is given bounds: see `_BoundedLinks`, `_BoundedCode`, `_closed_fences` and
`_shallow`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping

import bleach
import markdown
from bleach import linkifier
from bleach.linkifier import LinkifyFilter
from markdown import inlinepatterns
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

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


# A heading one level down (the page owns its h1), and none deeper than h4.
_HEADINGS = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}


class _ImagesAsLinksAndFlatHeadings(Treeprocessor):
    """Images become links to them (pages embed nothing from elsewhere), and headings start
    at h2 and go no deeper than h4."""

    def run(self, root):
        for element in root.iter():
            if element.tag == "img":
                element.tag = "a"
                element.text = element.attrib.pop("alt", "") or element.get("src", "")
                element.attrib = {"href": element.get("src", "")}
            elif element.tag in _HEADINGS:
                element.tag = _HEADINGS[element.tag]


# --- what a text may cost -----------------------------------------------------------------

# Each of these can make an element or an escape that Markdown and the sanitiser each pay
# for: a line (which can start a block), a run of the characters that mark a heading, a
# list, an emphasis or code, a link, an escape, a character the HTML must escape, a table's
# cell, the dot of an address that becomes a link. MARKED of them cost about 0.1 s of CPU
# at worst, however they are arranged. Texts people write have far fewer: a specification
# of 38,000 characters of headings, lists and tables has 2,500.
_MARK = re.compile(r"[\n\[\\<>&|]|[*_`#=+-]+|\.(?=\w)|(?<=[0-9])[.)](?=\s)")
MARKED = 3_000
# The Markdown fields saved together (a proposal's four, the site's three) share this many.
SAVED_TOGETHER = 6_000

# A link's text and address, and a code span, are looked for this far (a longer one stays
# text). What Python-Markdown reads character by character to find them (a link with
# brackets or parentheses nested inside, a code span) comes from a budget per text of
# this many characters: enough for thousands of ordinary ones.
LINK_TEXT = 2_000
LINK_ADDRESS = 2_000
CODE_SPAN = 10_000
READING = 200_000

# Block quotes and lists nested deeper than this in one line are not nested further.
DEPTH = 12


def _within_budget(text: str, marks: int) -> tuple[str, str, int]:
    """`text` split where it has `marks` marks: the part to render as Markdown and the rest,
    cut at a blank line (failing that, at a line's end) before that point; and the marks
    of the first part (at most)."""
    count = 0
    for count, mark in enumerate(_MARK.finditer(text), 1):
        if count > marks:
            limit = mark.start()
            break
    else:
        return text, "", count
    cut = text.rfind("\n\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind("\n", 0, limit)
    cut = max(cut, 0)
    return text[:cut], text[cut:], marks


_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


def _as_plain_paragraphs(text: str) -> str:
    """Text as escaped paragraphs, its line breaks kept: no Markdown, no cost."""
    return "".join(
        "<p>" + "<br>\n".join(str(escape(line)) for line in paragraph.split("\n")) + "</p>\n"
        for paragraph in _PARAGRAPHS.split(text.strip("\n"))
        if paragraph.strip()
    )


_FENCE = re.compile(r"(?:`{3,}|~{3,})")
# The markers that open a block inside a block, one after another on a line.
_CONTAINERS = re.compile(r"(?:[ ]{0,3}(?:>|[-*+]|[0-9]{1,9}[.)])(?:[ ]++|(?=>)))+")
_MARKER = re.compile(r">|[-*+]|[0-9]{1,9}[.)]")


def _closed_fences(lines: list[str]) -> None:
    """Set apart every code fence that nothing closes. Python-Markdown's fence pattern reads
    from each such fence to the end of the text, so a text of them cost its length squared;
    unclosed, a fence is text either way. A fence with a quote in its line too: its
    `hl_lines="…"`, which Forslag does not use, is read across lines. One space before it
    is enough: a fence starts a line."""
    closers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        fence = _FENCE.match(line)
        if fence and line.rstrip(" ") == fence[0]:
            closers.setdefault(fence[0], []).append(number)
    number = 0
    while number < len(lines):
        fence = _FENCE.match(lines[number])
        if fence:
            found = closers.get(fence[0], [])
            after = bisect_right(found, number)
            quoted = "'" in lines[number] or '"' in lines[number]
            if after < len(found) and not quoted:
                number = found[after] + 1
                continue
            lines[number] = " " + lines[number]
        number += 1


def _shallow(lines: list[str]) -> None:
    """No line opens more than DEPTH block quotes and lists within each other (each costs
    Python-Markdown a level of its recursion): the markers beyond are escaped."""
    for number, line in enumerate(lines):
        containers = _CONTAINERS.match(line)
        if not containers or containers.end() < 2 * DEPTH:
            continue
        markers = list(_MARKER.finditer(line, 0, containers.end()))
        if len(markers) > DEPTH:
            # What follows an escaped marker is a paragraph's text: no more blocks.
            marker = markers[DEPTH]
            lines[number] = f"{line[: marker.end() - 1]}\\{line[marker.end() - 1 :]}"


def _bounded(text: str, marks: int) -> tuple[str, str, int]:
    """The Markdown to render, the text to show plain (see the module's docstring), and
    the marks the Markdown holds."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    head, tail, used = _within_budget(text, marks)
    lines = head.split("\n")
    _closed_fences(lines)
    _shallow(lines)
    return "\n".join(lines), tail, used


class _Reading:
    """What is left of one text's READING."""

    def __init__(self) -> None:
        self.left = READING

    def take(self, characters: int) -> bool:
        if characters > self.left:
            self.left = 0
            return False
        self.left -= characters
        return True


class _BoundedLinks:
    """Python-Markdown's link, image and reference patterns, read in bounded time.

    As they are, each link found makes them read the whole paragraph again, and each "("
    that does not close makes them read to its end: a paragraph of links cost its length
    times the number of links (a proposal of 200,000 characters took 166 s). Here a link's
    text is found by looking for the next "]" (C speed), its address by the next ")", each at
    most LINK_TEXT or LINK_ADDRESS characters away; only text or an address with brackets
    nested inside is read as Python-Markdown reads it, and that from a budget per text."""

    reading: _Reading

    def getText(self, data: str, index: int):  # noqa: N802 (Markdown's name)
        end = data.find("]", index, index + LINK_TEXT)
        if end < 0:
            return "", index, False
        if data.find("[", index, end) < 0:
            return data[index:end], end + 1, True
        window = data[index : index + LINK_TEXT]
        if not self.reading.take(len(window)):
            return "", index, False
        text, end, handled = super().getText(window, 0)
        return text, index + end, handled

    def getLink(self, data: str, index: int):  # noqa: N802 (Markdown's name)
        end = data.find(")", index, index + LINK_ADDRESS)
        if end < 0:
            return "", None, index, False
        window = data[index : end + 1]
        nested = any(mark in window[1:] for mark in "(\"'<")
        if nested:
            window = data[index : index + LINK_ADDRESS]
            if not self.reading.take(len(window)):
                return "", None, index, False
        href, title, end, handled = super().getLink(window, 0)
        return href, title, index + end, handled


class _BoundedCode(inlinepatterns.BacktickInlineProcessor):
    """Python-Markdown's code spans, read in bounded time: it reads from each run of
    backticks to the end of the paragraph when no run of the same length follows, so a
    paragraph of such runs cost its length squared. Here it reads at most CODE_SPAN
    characters from each, from the text's budget; past it, a run is text."""

    reading: _Reading

    def find_code_spans(self, start: int, text: str):
        window = text[start : start + min(CODE_SPAN, self.reading.left)]
        found, end = super().find_code_spans(0, window)
        self.reading.take(len(window) if end is None else end)
        if end is None and len(window) < len(text) - start:
            ticks = len(window) - len(window.lstrip("`"))
            return start + max(ticks, 1), None
        return start + found, None if end is None else start + end


_LINK_PATTERNS = [
    ("reference", inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 170),
    ("link", inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE, 160),
    ("image_link", inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE, 150),
    (
        "image_reference",
        inlinepatterns.ImageReferenceInlineProcessor,
        inlinepatterns.IMAGE_REFERENCE_RE,
        140,
    ),
    (
        "short_reference",
        inlinepatterns.ShortReferenceInlineProcessor,
        inlinepatterns.REFERENCE_RE,
        130,
    ),
    (
        "short_image_ref",
        inlinepatterns.ShortImageReferenceInlineProcessor,
        inlinepatterns.IMAGE_REFERENCE_RE,
        125,
    ),
]
_BOUNDED = {
    name: type(f"Bounded{cls.__name__}", (_BoundedLinks, cls), {})
    for name, cls, _, _ in _LINK_PATTERNS
}


class _Forslag(markdown.Extension):
    """Treat raw HTML as text (`<b>` is shown as `<b>`, not made bold), links read in
    bounded time; see above."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        reading = _Reading()
        code = _BoundedCode(inlinepatterns.BACKTICK_RE)
        code.reading = reading
        md.inlinePatterns.register(code, "backtick", 190)
        for name, _, pattern, priority in _LINK_PATTERNS:
            processor = _BOUNDED[name](pattern, md)
            processor.reading = reading
            md.inlinePatterns.register(processor, name, priority)
        md.treeprocessors.register(_ImagesAsLinksAndFlatHeadings(md), "forslag", 0)


def _link_rel(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href:
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


# Bleach's pattern for addresses written out ("forslag.dk", "https://…"), with two changes:
# it starts only where a word starts, and reads no run of "(" first. Bleach's own started at
# every "-" inside a word and took in every "(" before it, and went on to the end of the run
# each time: a paragraph of "(" cost its length squared (33 s for 50,000). And only the
# protocols links may have.
_ADDRESSES = re.compile(
    r"""(?<![\w@.-])(?=\w)(?:(?:{}):/{{0,3}}(?:(?:\w+:)?\w+@)?)?
    (?:[\w-]++\.)+(?:{})(?::[0-9]+)?(?!\.\w)\b
    (?:[/?][^\s\{{\}}\|\\\^`<>"]*)?""".format(
        "|".join(sorted(ALLOWED_PROTOCOLS)), "|".join(sorted(linkifier.TLDS))
    ),
    re.IGNORECASE | re.VERBOSE | re.UNICODE,
)

_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        lambda source: LinkifyFilter(
            source, callbacks=[_link_rel], skip_tags={"pre", "code"}, url_re=_ADDRESSES
        )
    ],
)


def render_markdown(text: str | None, *, marks: int = MARKED) -> Markup:
    """Markdown to sanitised HTML. Headings start at h2: the page owns its h1."""
    return _render(text, marks)[0]


def render_markdown_fields(values: Mapping[str, str], names: Iterable[str]) -> dict[str, Markup]:
    """The fields `names` of `values` as HTML, for one save: each Markdown up to MARKED
    marks, and all of them together up to SAVED_TOGETHER, in the order named (a proposal's
    body first)."""
    left = SAVED_TOGETHER
    rendered = {}
    for name in names:
        rendered[name], used = _render(values[name], min(MARKED, left))
        left -= used
    return rendered


def _render(text: str | None, marks: int) -> tuple[Markup, int]:
    if not text or not text.strip():
        return Markup(""), 0
    text, rest, used = _bounded(text, marks)
    html = markdown.markdown(
        text,
        extensions=[
            _Forslag(),
            "markdown.extensions.tables",
            "markdown.extensions.fenced_code",
            "markdown.extensions.sane_lists",
        ],
        output_format="html",
    )
    cleaned = _CLEANER.clean(html)
    if rest.strip():
        cleaned += ("\n" if cleaned else "") + _as_plain_paragraphs(rest)  # escaped
    # Cleaned by the allow-list above: the one place user text becomes markup.
    return Markup(cleaned), used  # noqa: S704  # nosec B704
