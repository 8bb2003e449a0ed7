-- Capture from the platforms, sync cursors, legal holds, replies and their approval,
-- taking the next comment, and presence leases.

-- Store comments (documents in the shape of triage.convert.comment_to_doc, tagged already)
-- and posts. A new comment is journaled as a capture (its hash, not its text); a known one
-- keeps its status, assignee and tags unless its text changed (then it takes the new tags).
CREATE FUNCTION triage.capture(p_comments jsonb, p_posts jsonb DEFAULT '[]',
                               OUT added integer, OUT updated integer, OUT unchanged integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    doc jsonb;
    known triage.comments;
    digest text;
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'admin'], 'capture comments');
    added := 0; updated := 0; unchanged := 0;
    FOR doc IN SELECT value FROM jsonb_array_elements(p_comments) LOOP
        digest := encode(sha256(convert_to(doc ->> 'text', 'UTF8')), 'hex');
        SELECT * INTO known FROM triage.comments WHERE id = doc ->> 'id' FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO triage.comments (id, platform, account, author, author_id,
                author_handle, created_at, captured_at, status, assignee, tags, text, sha256,
                post_id, parent_id, permalink, native_id)
            VALUES (doc ->> 'id', doc ->> 'platform', coalesce(doc ->> 'account', ''),
                coalesce(doc -> 'author' ->> 'name', ''), coalesce(doc -> 'author' ->> 'id', ''),
                coalesce(doc -> 'author' ->> 'handle', ''), (doc ->> 'created_at')::timestamptz,
                coalesce((doc ->> 'captured_at')::timestamptz, now()),
                coalesce(doc ->> 'status', 'new'), doc ->> 'assignee',
                coalesce(doc -> 'tags', '[]'), coalesce(doc ->> 'text', ''), digest,
                doc ->> 'post_id', doc ->> 'parent_id', coalesce(doc ->> 'permalink', ''),
                coalesce(doc ->> 'native_id', ''));
            added := added + 1;
        ELSIF known.text IS DISTINCT FROM coalesce(doc ->> 'text', '')
              OR known.permalink IS DISTINCT FROM coalesce(doc ->> 'permalink', '') THEN
            UPDATE triage.comments SET text = coalesce(doc ->> 'text', ''), sha256 = digest,
                permalink = coalesce(doc ->> 'permalink', ''),
                tags = CASE WHEN known.text = coalesce(doc ->> 'text', '') THEN known.tags
                            ELSE coalesce(doc -> 'tags', '[]') END
            WHERE id = known.id;
            updated := updated + 1;
        ELSE
            unchanged := unchanged + 1;
            CONTINUE;
        END IF;
        PERFORM triage.append(CASE WHEN known.id IS NULL THEN 'capture' ELSE 'update' END,
            doc ->> 'id', jsonb_build_object('data', jsonb_build_object(
                'sha256', digest, 'platform', doc ->> 'platform', 'account', doc ->> 'account',
                'author', doc -> 'author' ->> 'name', 'created_at', doc ->> 'created_at')));
    END LOOP;
    INSERT INTO triage.posts (id, platform, account, text, created_at, permalink)
    SELECT p ->> 'id', p ->> 'platform', coalesce(p ->> 'account', ''),
           coalesce(p ->> 'text', ''), (p ->> 'created_at')::timestamptz,
           coalesce(p ->> 'permalink', '')
    FROM jsonb_array_elements(p_posts) AS p
    ON CONFLICT (id) DO UPDATE SET text = excluded.text, permalink = excluded.permalink;
END
$$;

-- A sync cursor or another small keyed record (not journaled, as in the embedded store).
CREATE FUNCTION triage.set_state(p_key text, p_value jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'admin'], 'store a sync cursor');
    INSERT INTO triage.state (key, value) VALUES (p_key, p_value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now();
END
$$;

-- Put a comment on legal hold (an escalation does): nothing may reply to, hide or delete it.
CREATE FUNCTION triage.hold_place(p_comment_id text, p_reason text, p_escalation text)
RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hold_doc jsonb;
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'legal'], 'place a legal hold');
    PERFORM 1 FROM triage.comments WHERE id = p_comment_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_comment_id) USING ERRCODE = 'TR404';
    END IF;
    IF triage.held(p_comment_id) THEN
        RAISE EXCEPTION '% is already on legal hold', p_comment_id USING ERRCODE = 'TR401';
    END IF;
    hold_doc := jsonb_build_object('active', true, 'by', session_user, 'reason', p_reason,
        'escalation', p_escalation, 'at', to_char(now() AT TIME ZONE 'UTC',
                                                  'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
    INSERT INTO triage.records (tbl, key, doc) VALUES ('holds', p_comment_id, hold_doc)
    ON CONFLICT (tbl, key) DO UPDATE SET doc = excluded.doc, updated_at = now();
    RETURN triage.append('hold', p_comment_id, jsonb_build_object('data', jsonb_build_object(
        'record', jsonb_build_object('table', 'holds', 'key', p_comment_id, 'doc', hold_doc))));
END
$$;

-- Legal releases a hold, saying why.
CREATE FUNCTION triage.hold_release(p_comment_id text, p_note text) RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hold_doc jsonb;
BEGIN
    PERFORM triage.require_role(ARRAY['legal'], 'release a legal hold');
    SELECT records.doc INTO hold_doc FROM triage.records
    WHERE tbl = 'holds' AND key = p_comment_id FOR UPDATE;
    IF hold_doc IS NULL OR NOT coalesce((hold_doc ->> 'active')::boolean, false) THEN
        RAISE EXCEPTION '% is not on legal hold', p_comment_id USING ERRCODE = 'TR401';
    END IF;
    hold_doc := hold_doc || jsonb_build_object('active', false, 'released_by', session_user,
        'note', p_note, 'released_at', to_char(now() AT TIME ZONE 'UTC',
                                               'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
    UPDATE triage.records SET doc = hold_doc, updated_at = now()
    WHERE tbl = 'holds' AND key = p_comment_id;
    RETURN triage.append('hold_release', p_comment_id, jsonb_build_object('data',
        jsonb_build_object('note', p_note,
            'record', jsonb_build_object('table', 'holds', 'key', p_comment_id, 'doc', hold_doc))));
END
$$;

-- Put a reply in the outbox: free text (no template) waits for an approver; a template's
-- reply is queued and the comment counts as replied. The same text twice is refused.
CREATE FUNCTION triage.submit_reply(p_comment_id text, p_text text, p_template_id text)
RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c triage.comments;
    digest text := encode(sha256(convert_to(p_text, 'UTF8')), 'hex');
    waiting boolean := p_template_id IS NULL;
    stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
    item jsonb;
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'reply');
    SELECT * INTO c FROM triage.comments WHERE id = p_comment_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_comment_id) USING ERRCODE = 'TR404';
    END IF;
    IF triage.held(c.id) OR c.status = 'deleted' THEN
        RAISE EXCEPTION 'cannot reply: %', CASE WHEN c.status = 'deleted'
            THEN 'the comment was deleted at its source'
            ELSE format('%s is on legal hold until legal releases it', c.id) END
            USING ERRCODE = 'TR401';
    END IF;
    IF EXISTS (SELECT 1 FROM triage.records WHERE tbl = 'outbox'
               AND doc ->> 'comment_id' = c.id AND doc ->> 'content_hash' = digest
               AND doc ->> 'state' IN ('waiting', 'queued', 'sending', 'sent')) THEN
        RAISE EXCEPTION 'this reply to % is already in the outbox', c.id USING ERRCODE = 'TR401';
    END IF;
    item := jsonb_build_object('id', replace(gen_random_uuid()::text, '-', ''),
        'comment_id', c.id, 'platform', c.platform, 'account', c.account, 'text', p_text,
        'content_hash', digest, 'template_id', p_template_id, 'by', session_user,
        'created_at', stamp, 'updated_at', stamp, 'needs_approval', waiting,
        'state', CASE WHEN waiting THEN 'waiting' ELSE 'queued' END, 'decision', NULL,
        'status_before', CASE WHEN waiting OR c.status = 'replied' THEN NULL ELSE c.status END);
    INSERT INTO triage.records (tbl, key, doc) VALUES ('outbox', item ->> 'id', item);
    IF NOT waiting AND c.status <> 'replied' THEN
        UPDATE triage.comments SET status = 'replied' WHERE id = c.id;
    END IF;
    RETURN triage.append(CASE WHEN waiting THEN 'reply_submitted' ELSE 'reply_queued' END,
        c.id, jsonb_build_object('data', jsonb_build_object('sha256', digest,
            'record', jsonb_build_object('table', 'outbox', 'key', item ->> 'id', 'doc', item))));
END
$$;

-- An approver approves a reply waiting for approval (never their own): it is queued.
CREATE FUNCTION triage.approve_reply(p_item_id text, p_note text) RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    item jsonb;
    c triage.comments;
    stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
    PERFORM triage.require_role(ARRAY['approver'], 'approve a reply that needs approval');
    SELECT doc INTO item FROM triage.records WHERE tbl = 'outbox' AND key = p_item_id
    FOR UPDATE;
    IF item IS NULL THEN
        RAISE EXCEPTION 'no outbox item %', p_item_id USING ERRCODE = 'TR404';
    END IF;
    IF item ->> 'state' <> 'waiting' THEN
        RAISE EXCEPTION 'outbox item % is %, not waiting for approval', p_item_id,
            item ->> 'state' USING ERRCODE = 'TR401';
    END IF;
    IF item ->> 'by' = session_user THEN
        RAISE EXCEPTION 'an approver cannot approve their own reply (% wrote it)', session_user
            USING ERRCODE = 'TR401';
    END IF;
    SELECT * INTO c FROM triage.comments WHERE id = item ->> 'comment_id' FOR UPDATE;
    IF triage.held(c.id) THEN
        RAISE EXCEPTION 'cannot approve: % is on legal hold until legal releases it', c.id
            USING ERRCODE = 'TR401';
    END IF;
    item := item || jsonb_build_object('state', 'queued', 'updated_at', stamp,
        'status_before', CASE WHEN c.status = 'replied' THEN NULL ELSE c.status END,
        'decision', jsonb_build_object('by', session_user, 'at', stamp, 'approved', true,
                                       'content_hash', item ->> 'content_hash', 'note', p_note));
    UPDATE triage.records SET doc = item, updated_at = now()
    WHERE tbl = 'outbox' AND key = p_item_id;
    UPDATE triage.comments SET status = 'replied' WHERE id = c.id AND status <> 'replied';
    RETURN triage.append('reply_approved', c.id, jsonb_build_object('data', jsonb_build_object(
        'sha256', item ->> 'content_hash', 'note', p_note,
        'record', jsonb_build_object('table', 'outbox', 'key', p_item_id, 'doc', item))));
END
$$;

-- Take the most urgent open comment that nobody holds and assign it to the login. Rows
-- another caller is taking are skipped, not waited for: concurrent callers get different ones.
CREATE FUNCTION triage.claim_next() RETURNS SETOF triage.comments
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c triage.comments;
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'take the next comment');
    SELECT * INTO c FROM triage.comments AS q
    WHERE q.status = 'new' AND q.assignee IS NULL
      AND NOT EXISTS (SELECT 1 FROM triage.records AS h WHERE h.tbl = 'holds'
                      AND h.key = q.id AND (h.doc ->> 'active')::boolean)
    ORDER BY q.urgency, q.created_at, q.id
    LIMIT 1 FOR UPDATE OF q SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE triage.comments SET assignee = session_user WHERE id = c.id RETURNING * INTO c;
    PERFORM triage.append('assign', c.id, jsonb_build_object(
        'before', jsonb_build_object('assignee', NULL),
        'after', jsonb_build_object('assignee', session_user),
        'data', jsonb_build_object('claim', true)));
    RETURN NEXT c;
END
$$;

-- Presence: the login is doing `what` on a comment for `seconds` (renewed by a heartbeat).
CREATE FUNCTION triage.lease_set(p_comment_id text, p_what text, p_seconds integer)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    until timestamptz := clock_timestamp() + make_interval(secs => p_seconds);
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'approver', 'legal'], 'show what they work on');
    IF p_seconds NOT BETWEEN 1 AND 3600 THEN
        RAISE EXCEPTION 'a lease lasts 1 to 3600 seconds, not %', p_seconds
            USING ERRCODE = 'TR401';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM triage.comments WHERE id = p_comment_id) THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_comment_id) USING ERRCODE = 'TR404';
    END IF;
    INSERT INTO triage.leases (comment_id, person, what, expires_at)
    VALUES (p_comment_id, session_user, p_what, until)
    ON CONFLICT (comment_id, person) DO UPDATE SET what = excluded.what,
                                                   expires_at = excluded.expires_at;
    PERFORM pg_notify('triage_changes', jsonb_build_object('kind', 'lease', 'id', p_comment_id,
        'person', session_user, 'what', p_what)::text);
    RETURN until;
END
$$;

CREATE FUNCTION triage.lease_release(p_comment_id text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM triage.leases WHERE comment_id = p_comment_id AND person = session_user;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM pg_notify('triage_changes', jsonb_build_object('kind', 'lease_release',
        'id', p_comment_id, 'person', session_user)::text);
    RETURN true;
END
$$;

REVOKE EXECUTE ON FUNCTION triage.capture(jsonb, jsonb), triage.set_state(text, jsonb),
    triage.hold_place(text, text, text), triage.hold_release(text, text),
    triage.submit_reply(text, text, text), triage.approve_reply(text, text),
    triage.claim_next(), triage.lease_set(text, text, integer), triage.lease_release(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION triage.capture(jsonb, jsonb), triage.set_state(text, jsonb),
    triage.hold_place(text, text, text), triage.hold_release(text, text),
    triage.submit_reply(text, text, text), triage.approve_reply(text, text),
    triage.claim_next(), triage.lease_set(text, text, integer), triage.lease_release(text)
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
