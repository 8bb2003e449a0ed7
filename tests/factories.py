"""Records written for the tests: a fixed clock, comments of every kind, a post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triage.model import Author, Comment, Post, Tag

#: The tests' "now": every relative age on screen is computed against it.
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def make_comment(
    cid: str,
    text: str,
    *,
    minutes_ago: int = 5,
    platform: str = "facebook",
    account: str = "riverside-fb",
    author: str = "Dana Whitfield",
    tags: tuple[Tag, ...] = (),
    status: str = "new",
    post_id: str | None = "post-flu",
    parent_id: str | None = None,
) -> Comment:
    return Comment(
        id=cid,
        platform=platform,
        account=account,
        text=text,
        created_at=NOW - timedelta(minutes=minutes_ago),
        author=Author(id=author.lower().replace(" ", "."), name=author),
        post_id=post_id,
        parent_id=parent_id,
        permalink=f"https://www.facebook.com/riverside/posts/1?comment_id={cid}",
        native_id=cid,
        status=status,
        tags=tags,
        captured_at=NOW,
    )


FLU_POST = Post(
    id="post-flu",
    platform="facebook",
    account="riverside-fb",
    text="Free flu shots this Saturday at the Riverside clinic, 9 to 3. No appointment needed.",
    created_at=NOW - timedelta(days=1),
    permalink="https://www.facebook.com/riverside/posts/1",
)


def sample_comments() -> list[Comment]:
    """A small queue with every tag, a thread, and a hostile comment."""
    return [
        make_comment("c-question", "What time does the flu clinic open on Saturday?",
                     minutes_ago=4, tags=(Tag("question", 0.9, ((0, 47),), "rule:wh-question"),)),
        make_comment(
            "c-myth", "The flu shot gives you the flu, everyone knows it.", minutes_ago=9,
            author="Rob Keller",
            tags=(Tag("misinformation", 0.82, ((0, 30),), "claim:flu-shot-gives-flu",
                      claim_id="flu-shot-gives-flu", resource_title="Flu vaccine safety (CDC)",
                      resource_url="https://www.cdc.gov/flu/vaccine-safety/index.html"),),
        ),
        make_comment("c-reply", "That's not true, the shot has no live virus.", minutes_ago=7,
                     author="Priya Nair", parent_id="c-myth"),
        make_comment("c-privacy", "My dad is in room 412 for chemo, call me at 555-201-8834",
                     minutes_ago=30, author="Lena Ortiz",
                     tags=(Tag("privacy", 0.95, ((41, 53),), "pattern:phone"),)),
        make_comment("c-crisis", "I can't do this anymore, I'm going to end it tonight",
                     minutes_ago=2, author="anon4471", platform="instagram",
                     account="riverside-ig",
                     tags=(Tag("crisis", 0.97, ((25, 52),), "lexicon:intent"),)),
        make_comment("c-hostile", "[bold red]boom[/] [@click=app.quit]quit[/] \x1b[31mred",
                     minutes_ago=60, author="[b]Mallory[/b]", platform="x", account="riverside-x"),
        make_comment("c-plain", "Thank you nurses, you were wonderful to my mom.",
                     minutes_ago=120, author="Sam Lee"),
    ]
