"""Status HTML to plain text: breaks kept, tags dropped, entities read, hostile text literal."""

from __future__ import annotations

import pytest

from triage.connectors import html_to_text

MASTODON_LINK = (
    '<a href="https://www.cdc.gov/flu/prevent/keyfacts.htm" rel="nofollow noopener" '
    'target="_blank"><span class="invisible">https://www.</span><span class="ellipsis">'
    'cdc.gov/flu/prevent/keyfa</span><span class="invisible">cts.htm</span></a>'
)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Is the clinic open?</p>", "Is the clinic open?"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>line one<br>line two<br/>line three</p>", "line one\nline two\nline three"),
        ("<p>Fish &amp; chips &lt;3 &quot;yes&quot; &#39;no&#39; &#x1F600; &nbsp;x</p>",
         "Fish & chips <3 \"yes\" 'no' \U0001F600 \xa0x"),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
        ("<p>hi<script>alert(1)</script><style>p{}</style> there</p>", "hi there"),
        ("<p>[bold red]boom[/] [@click=app.quit]quit[/]</p>",
         "[bold red]boom[/] [@click=app.quit]quit[/]"),
        ("<p>\x1b[31mred\x1b[0m</p>", "\x1b[31mred\x1b[0m"),
        ("<p>{0} %s {name!r}</p>", "{0} %s {name!r}"),
        ("<p>&amp;lt;b&amp;gt; stays escaped once</p>", "&lt;b&gt; stays escaped once"),
        (f"<p>Facts: {MASTODON_LINK}</p>",
         "Facts: https://www.cdc.gov/flu/prevent/keyfacts.htm"),
        ('<p><span class="h-card"><a href="https://x.example/@riverside" class="u-url mention">'
         "@<span>riverside</span></a></span> hello</p>", "@riverside hello"),
        ('<p><a href="https://x.example/tags/flu" class="mention hashtag">#<span>flu</span></a>'
         "</p>", "#flu"),
        ('<p>see <a href="https://phish.example/login">cdc.gov</a></p>',
         "see cdc.gov (https://phish.example/login)"),
        ('<p><a href="javascript:alert(1)">click</a></p>', "click"),
        ("<ul><li>one</li><li>two</li></ul>", "• one\n• two"),
        ("<p>unclosed <b>bold <i>and more", "unclosed bold and more"),
        ("<p>spaces    and\nnewlines\tin source</p>", "spaces and newlines in source"),
        ("<pre>keep   this\n  layout</pre>", "keep   this\n  layout"),
        ("plain text, no markup", "plain text, no markup"),
        ("", ""),
        ("<p></p><p></p>", ""),
        ("<img src=x onerror=alert(1)>caption", "caption"),
        ("<!-- a comment --><p>after</p>", "after"),
        ("<p>a</p><br><br><br><br><p>b</p>", "a\n\nb"),
    ],
)
def test_html_becomes_plain_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
