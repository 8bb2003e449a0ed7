-- The tables of the team store: comments, posts, state, records, the journal, leases.
-- Application roles read them; only the functions of 0002 (run as the owner) change them.

-- The most urgent tag's rank in the default priority order (crisis first); 6 for none.
CREATE FUNCTION triage.tag_rank(tags jsonb) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(min(array_position(
        ARRAY['crisis', 'adverse_event', 'privacy', 'abuse', 'misinformation', 'question'],
        tag ->> 'name')), 7)::smallint - 1
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(tags) = 'array' THEN tags
                                   ELSE '[]'::jsonb END) AS tag
$$;

CREATE TABLE triage.comments (
    id text PRIMARY KEY,
    platform text NOT NULL,
    account text NOT NULL DEFAULT '',
    author text NOT NULL DEFAULT '',
    author_id text NOT NULL DEFAULT '',
    author_handle text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    captured_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'replied', 'hidden', 'dismissed', 'escalated', 'deleted')),
    assignee text,
    tags jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
    urgency smallint GENERATED ALWAYS AS (triage.tag_rank(tags)) STORED,
    text text NOT NULL DEFAULT '',
    sha256 text NOT NULL,
    post_id text,
    parent_id text,
    permalink text NOT NULL DEFAULT '',
    native_id text NOT NULL DEFAULT ''
);
CREATE INDEX comments_status ON triage.comments (status);
CREATE INDEX comments_platform ON triage.comments (platform, created_at DESC);
CREATE INDEX comments_account ON triage.comments (account, created_at DESC);
CREATE INDEX comments_author ON triage.comments (lower(author));
CREATE INDEX comments_assignee ON triage.comments (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX comments_created ON triage.comments (created_at DESC, id);
CREATE INDEX comments_tags ON triage.comments USING gin (tags jsonb_path_ops);
-- The priority sort of the open queue, and what `claim_next` walks.
CREATE INDEX comments_priority ON triage.comments (urgency, created_at, id)
    WHERE status = 'new';
CREATE INDEX comments_parent ON triage.comments (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE triage.posts (
    id text PRIMARY KEY,
    platform text NOT NULL,
    account text NOT NULL DEFAULT '',
    text text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    permalink text NOT NULL DEFAULT ''
);

-- Small keyed records: sync cursors and the like.
CREATE TABLE triage.state (
    key text PRIMARY KEY,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Keyed documents by table: outbox items, escalations, holds, deliveries.
CREATE TABLE triage.records (
    tbl text NOT NULL,
    key text NOT NULL,
    doc jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tbl, key)
);

-- The audit trail: append-only, hash-chained, one row per action.
CREATE TABLE triage.journal (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    at timestamptz NOT NULL,
    actor text NOT NULL,
    kind text NOT NULL,
    comment_id text,
    body jsonb NOT NULL DEFAULT '{}',
    prev text NOT NULL,
    hash text NOT NULL UNIQUE
);
CREATE INDEX journal_comment ON triage.journal (comment_id, seq) WHERE comment_id IS NOT NULL;

-- Presence: who is doing what on a comment, until when (an expired lease is absent).
CREATE TABLE triage.leases (
    comment_id text NOT NULL REFERENCES triage.comments (id),
    person text NOT NULL,
    what text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (comment_id, person)
);

CREATE VIEW triage.leases_now AS
    SELECT comment_id, person, what, expires_at FROM triage.leases WHERE expires_at > now();

GRANT SELECT ON triage.comments, triage.posts, triage.state, triage.records, triage.journal,
    triage.leases, triage.leases_now
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
REVOKE EXECUTE ON FUNCTION triage.tag_rank(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION triage.tag_rank(jsonb)
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
