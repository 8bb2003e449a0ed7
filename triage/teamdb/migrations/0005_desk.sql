-- What the desk needs beyond 0001-0004: closing a crisis when dismissing it, notes, undo,
-- the indexes behind the desk's reads, and copying an embedded store in (admin only).

CREATE INDEX journal_actor ON triage.journal (actor, seq DESC);
CREATE INDEX records_notes ON triage.records ((doc ->> 'comment_id')) WHERE tbl = 'notes';
CREATE INDEX comments_author_id ON triage.comments (platform, author_id, created_at DESC);
-- The desk's pages, newest first: (created_at, id) < (…) walked backwards.
CREATE INDEX comments_newest ON triage.comments (created_at, id);

-- Dismiss, saying what was done about each open crisis among them (p_reason: called-911,
-- on-call, lifeline, not-crisis). `not-crisis` takes the crisis tag off in the same batch.
CREATE FUNCTION triage.dismiss(p_ids text[], p_reason text) RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    alone boolean := cardinality(p_ids) = 1;
    batch jsonb := CASE WHEN cardinality(p_ids) > 1 OR lower(btrim(p_reason)) = 'not-crisis'
        THEN jsonb_build_object('batch', substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))
        ELSE '{}'::jsonb END;
    crisis boolean;
    new_tags jsonb;
    closing jsonb;
    stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"');
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'dismiss comments');
    IF alone AND NOT EXISTS (SELECT 1 FROM triage.comments WHERE id = p_ids[1]) THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_ids[1]) USING ERRCODE = 'TR404';
    END IF;
    IF EXISTS (SELECT 1 FROM triage.comments WHERE id = ANY (p_ids) AND status <> 'dismissed'
               AND tags @> '[{"name": "crisis"}]') THEN
        IF p_reason IS NULL OR btrim(p_reason) = '' THEN
            RAISE EXCEPTION 'closing a crisis needs a reason: say what was done — called-911 '
                '(called 911), on-call (passed to the on-call clinician), lifeline (replied '
                'with the lifeline), not-crisis (not a crisis)' USING ERRCODE = 'TR401';
        END IF;
        IF lower(btrim(p_reason)) NOT IN ('called-911', 'on-call', 'lifeline', 'not-crisis') THEN
            RAISE EXCEPTION 'unknown reason %: one of called-911, on-call, lifeline, not-crisis',
                quote_literal(p_reason) USING ERRCODE = 'TR401';
        END IF;
    END IF;
    FOR c IN SELECT id, status, tags FROM triage.comments WHERE id = ANY (p_ids)
             ORDER BY id FOR UPDATE LOOP
        IF triage.held(c.id) OR c.status = 'deleted' THEN
            IF alone THEN
                RAISE EXCEPTION 'cannot dismiss: %', CASE WHEN c.status = 'deleted'
                    THEN 'the comment was deleted at its source'
                    ELSE format('%s is on legal hold until legal releases it', c.id) END
                    USING ERRCODE = 'TR401';
            END IF;
            CONTINUE;
        END IF;
        CONTINUE WHEN c.status = 'dismissed';
        crisis := c.tags @> '[{"name": "crisis"}]';
        closing := NULL;
        IF crisis THEN
            closing := jsonb_build_object('reason', lower(btrim(p_reason)),
                'record', jsonb_build_object('table', 'closings', 'key', c.id, 'doc',
                    jsonb_build_object('reason', lower(btrim(p_reason)), 'by', session_user,
                                       'at', stamp)));
            INSERT INTO triage.records (tbl, key, doc)
            VALUES ('closings', c.id, closing -> 'record' -> 'doc')
            ON CONFLICT (tbl, key) DO UPDATE SET doc = excluded.doc, updated_at = now();
            IF lower(btrim(p_reason)) = 'not-crisis' THEN
                SELECT coalesce(jsonb_agg(t), '[]') INTO new_tags
                FROM jsonb_array_elements(c.tags) AS t WHERE t ->> 'name' <> 'crisis';
                UPDATE triage.comments SET tags = new_tags WHERE id = c.id;
                RETURN NEXT triage.append('tag', c.id, jsonb_build_object(
                    'before', jsonb_build_object('tags', c.tags),
                    'after', jsonb_build_object('tags', new_tags),
                    'data', jsonb_build_object('tag', 'crisis', 'op', 'remove',
                        'tagger_had', true)) || batch);
            END IF;
        END IF;
        UPDATE triage.comments SET status = 'dismissed' WHERE id = c.id;
        RETURN NEXT triage.append('dismiss', c.id, jsonb_build_object(
            'before', jsonb_build_object('status', c.status),
            'after', jsonb_build_object('status', 'dismissed'))
            || CASE WHEN closing IS NULL THEN '{}'::jsonb
                    ELSE jsonb_build_object('data', closing) END || batch);
    END LOOP;
END
$$;

-- An internal note on a comment, for the team; never sent anywhere.
CREATE FUNCTION triage.add_note(p_comment_id text, p_text text) RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key text := substr(replace(gen_random_uuid()::text, '-', ''), 1, 12);
    note jsonb;
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'approver', 'legal'], 'write a note');
    IF NOT EXISTS (SELECT 1 FROM triage.comments WHERE id = p_comment_id) THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_comment_id) USING ERRCODE = 'TR404';
    END IF;
    IF btrim(coalesce(p_text, '')) = '' THEN
        RAISE EXCEPTION 'the note is empty' USING ERRCODE = 'TR401';
    END IF;
    IF length(btrim(p_text)) > 4000 THEN
        RAISE EXCEPTION 'the note is % characters; at most 4,000', length(btrim(p_text))
            USING ERRCODE = 'TR401';
    END IF;
    note := jsonb_build_object('id', key, 'comment_id', p_comment_id, 'by', session_user,
        'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        'text', btrim(p_text));
    INSERT INTO triage.records (tbl, key, doc) VALUES ('notes', key, note);
    RETURN triage.append('note', p_comment_id, jsonb_build_object('data', jsonb_build_object(
        'record', jsonb_build_object('table', 'notes', 'key', key, 'doc', note))));
END
$$;

-- Take back journal rows the login wrote (its last action, found by the desk): each must be
-- the login's own, of a kind that can be undone, not undone already, and unchanged since.
CREATE FUNCTION triage.undo(p_seqs bigint[]) RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    target triage.journal;
    c triage.comments;
    before_ jsonb;
    after_ jsonb;
    current_ jsonb;
    batch jsonb := CASE WHEN cardinality(p_seqs) > 1 THEN jsonb_build_object('batch',
        substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)) ELSE '{}'::jsonb END;
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'undo');
    FOR target IN SELECT * FROM triage.journal WHERE seq = ANY (p_seqs) ORDER BY seq LOOP
        IF target.actor <> session_user THEN
            RAISE EXCEPTION 'cannot undo entry %: % did it, not %', target.seq, target.actor,
                session_user USING ERRCODE = 'TR401';
        END IF;
        IF target.kind NOT IN ('dismiss', 'restore', 'assign', 'tag', 'status') THEN
            RAISE EXCEPTION 'cannot undo %', replace(target.kind, '_', ' ')
                USING ERRCODE = 'TR401';
        END IF;
        IF EXISTS (SELECT 1 FROM triage.journal WHERE actor = session_user AND kind = 'undo'
                   AND (body -> 'data' ->> 'undoes')::bigint = target.seq) THEN
            RAISE EXCEPTION 'entry % is undone already', target.seq USING ERRCODE = 'TR401';
        END IF;
        before_ := target.body -> 'before';
        after_ := target.body -> 'after';
        SELECT * INTO c FROM triage.comments WHERE id = target.comment_id FOR UPDATE;
        SELECT coalesce(jsonb_object_agg(key, value), '{}') INTO current_
        FROM jsonb_each(jsonb_build_object('status', c.status, 'assignee', c.assignee,
                                           'tags', c.tags))
        WHERE after_ ? key;
        IF current_ IS DISTINCT FROM after_ THEN
            RAISE EXCEPTION 'cannot undo % of %: it was changed since', target.kind, c.id
                USING ERRCODE = 'TR401';
        END IF;
        UPDATE triage.comments SET
            status = CASE WHEN before_ ? 'status' THEN before_ ->> 'status' ELSE status END,
            assignee = CASE WHEN before_ ? 'assignee' THEN before_ ->> 'assignee'
                            ELSE assignee END,
            tags = CASE WHEN before_ ? 'tags' THEN before_ -> 'tags' ELSE tags END
        WHERE id = c.id;
        RETURN NEXT triage.append('undo', c.id, jsonb_build_object(
            'before', current_, 'after', before_,
            'data', jsonb_build_object('undoes', target.seq, 'undone_kind', target.kind))
            || batch);
    END LOOP;
END
$$;

-- The outbox's states are the domain's (triage/outbox/item.py): a reply waiting for an
-- approver is `waiting_approval`, as in the embedded store, and a failed send still holds
-- its place (the same text is not queued twice). 0004 wrote `waiting`; rows are renamed.
UPDATE triage.records SET doc = jsonb_set(doc, '{state}', '"waiting_approval"')
WHERE tbl = 'outbox' AND doc ->> 'state' = 'waiting';

-- Put a reply in the outbox: free text (no template) waits for an approver; a template's
-- reply is queued and the comment counts as replied. The same text twice is refused.
CREATE OR REPLACE FUNCTION triage.submit_reply(p_comment_id text, p_text text, p_template_id text)
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
               AND doc ->> 'state' IN ('waiting_approval', 'queued', 'sending', 'sent', 'failed')) THEN
        RAISE EXCEPTION 'this reply to % is already in the outbox', c.id USING ERRCODE = 'TR401';
    END IF;
    item := jsonb_build_object('id', replace(gen_random_uuid()::text, '-', ''),
        'comment_id', c.id, 'platform', c.platform, 'account', c.account, 'text', p_text,
        'content_hash', digest, 'template_id', p_template_id, 'by', session_user,
        'created_at', stamp, 'updated_at', stamp, 'needs_approval', waiting,
        'state', CASE WHEN waiting THEN 'waiting_approval' ELSE 'queued' END, 'decision', NULL,
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
CREATE OR REPLACE FUNCTION triage.approve_reply(p_item_id text, p_note text) RETURNS triage.journal
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
    IF item ->> 'state' <> 'waiting_approval' THEN
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

-- Legal reads the identifiers the list masks; the reveal is journaled (what kinds, where).
CREATE FUNCTION triage.reveal(p_comment_id text, p_data jsonb) RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['legal'], 'reveal the identifiers of comments');
    IF NOT EXISTS (SELECT 1 FROM triage.comments WHERE id = p_comment_id) THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_comment_id) USING ERRCODE = 'TR404';
    END IF;
    RETURN triage.append('reveal', p_comment_id, jsonb_build_object('data', p_data));
END
$$;

-- Copying an embedded store in (`triage db copy`, an admin): comments as they are now,
-- posts, records and state rows, each written once (a row already there is left alone).
CREATE FUNCTION triage.copy_rows(p_comments jsonb, p_posts jsonb, p_records jsonb,
                                 p_state jsonb, OUT comments integer, OUT records integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['admin'], 'copy a store in');
    INSERT INTO triage.comments (id, platform, account, author, author_id, author_handle,
        created_at, captured_at, status, assignee, tags, text, sha256, post_id, parent_id,
        permalink, native_id)
    SELECT d ->> 'id', d ->> 'platform', coalesce(d ->> 'account', ''),
        coalesce(d -> 'author' ->> 'name', ''), coalesce(d -> 'author' ->> 'id', ''),
        coalesce(d -> 'author' ->> 'handle', ''), (d ->> 'created_at')::timestamptz,
        coalesce((d ->> 'captured_at')::timestamptz, now()), coalesce(d ->> 'status', 'new'),
        d ->> 'assignee', coalesce(d -> 'tags', '[]'), coalesce(d ->> 'text', ''),
        encode(sha256(convert_to(coalesce(d ->> 'text', ''), 'UTF8')), 'hex'),
        d ->> 'post_id', d ->> 'parent_id', coalesce(d ->> 'permalink', ''),
        coalesce(d ->> 'native_id', '')
    FROM jsonb_array_elements(p_comments) AS d
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS comments = ROW_COUNT;
    INSERT INTO triage.posts (id, platform, account, text, created_at, permalink)
    SELECT p ->> 'id', p ->> 'platform', coalesce(p ->> 'account', ''),
           coalesce(p ->> 'text', ''), (p ->> 'created_at')::timestamptz,
           coalesce(p ->> 'permalink', '')
    FROM jsonb_array_elements(p_posts) AS p
    ON CONFLICT (id) DO NOTHING;
    INSERT INTO triage.records (tbl, key, doc)
    SELECT r ->> 'table', r ->> 'key', r -> 'doc' FROM jsonb_array_elements(p_records) AS r
    ON CONFLICT (tbl, key) DO NOTHING;
    GET DIAGNOSTICS records = ROW_COUNT;
    INSERT INTO triage.state (key, value)
    SELECT s ->> 'key', s -> 'value' FROM jsonb_array_elements(p_state) AS s
    ON CONFLICT (key) DO NOTHING;
END
$$;

-- The embedded journal's entries, in order, as history rows of the team journal (kind
-- `history`, the original entry in the body), chained like every other row.
CREATE FUNCTION triage.copy_history(p_entries jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    entry jsonb;
    last_seq bigint := 0;
BEGIN
    PERFORM triage.require_role(ARRAY['admin'], 'copy a store in');
    FOR entry IN SELECT value FROM jsonb_array_elements(p_entries) LOOP
        last_seq := (triage.append('history', entry ->> 'comment_id',
                                   jsonb_build_object('entry', entry))).seq;
    END LOOP;
    RETURN last_seq;
END
$$;

-- The record that closes a copy: what was copied and the embedded chain's last hash.
CREATE FUNCTION triage.copy_done(p_summary jsonb) RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['admin'], 'copy a store in');
    RETURN triage.append('store_copied', NULL, jsonb_build_object('data', p_summary));
END
$$;

REVOKE EXECUTE ON FUNCTION triage.dismiss(text[], text), triage.add_note(text, text),
    triage.reveal(text, jsonb),
    triage.undo(bigint[]), triage.copy_rows(jsonb, jsonb, jsonb, jsonb),
    triage.copy_history(jsonb), triage.copy_done(jsonb)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION triage.dismiss(text[], text), triage.add_note(text, text),
    triage.reveal(text, jsonb),
    triage.undo(bigint[]), triage.copy_rows(jsonb, jsonb, jsonb, jsonb),
    triage.copy_history(jsonb), triage.copy_done(jsonb)
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
