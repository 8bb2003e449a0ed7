-- The team's sender: the process that holds the "sender" role takes the due replies, posts
-- them through the connectors and records each result here. An item is taken by one sender
-- at a time (row locks, then a sending lease) and marked sent once.

-- A reply is sent once: two items with the same text to the same comment cannot both be sent.
CREATE UNIQUE INDEX outbox_sent_once ON triage.records ((doc ->> 'comment_id'),
    (doc ->> 'content_hash')) WHERE tbl = 'outbox' AND doc ->> 'state' = 'sent';
-- The replies to a comment (what submit_reply checks for a repeat), and the due ones.
CREATE INDEX outbox_comment ON triage.records ((doc ->> 'comment_id')) WHERE tbl = 'outbox';
CREATE INDEX outbox_due ON triage.records ((doc ->> 'created_at'), key)
    WHERE tbl = 'outbox' AND doc ->> 'state' IN ('queued', 'failed', 'sending');

-- Take up to p_limit due replies: queued ones, failures whose retry time came, and ones left
-- `sending` by a sender whose lease ran out (it died mid-send). Each becomes `sending`
-- (attempt n, journaled, leased for p_lease_seconds); `check_first` says an earlier attempt
-- may have posted it, so the platform is asked before posting again.
CREATE FUNCTION triage.outbox_take(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (doc jsonb, check_first boolean)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    item jsonb;
    first boolean;
    stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'admin'], 'send the outbox');
    FOR r IN SELECT o.key, o.doc AS old FROM triage.records AS o
             WHERE o.tbl = 'outbox'
               AND (o.doc ->> 'state' = 'queued'
                    OR (o.doc ->> 'state' = 'failed'
                        AND coalesce((o.doc ->> 'retry_at')::timestamptz, now()) <= now())
                    OR (o.doc ->> 'state' = 'sending'
                        AND coalesce((o.doc ->> 'lease_until')::timestamptz, now()) <= now()))
               AND NOT triage.held(o.doc ->> 'comment_id')
             ORDER BY o.doc ->> 'created_at', o.key
             LIMIT p_limit FOR UPDATE OF o SKIP LOCKED LOOP
        first := r.old ->> 'state' = 'sending' OR coalesce((r.old ->> 'uncertain')::boolean, false);
        item := r.old || jsonb_build_object('state', 'sending', 'retry_at', NULL,
            'attempts', coalesce((r.old ->> 'attempts')::integer, 0) + 1, 'updated_at', stamp,
            'lease_until', to_char((now() + make_interval(secs => p_lease_seconds))
                                   AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
        UPDATE triage.records SET doc = item, updated_at = now()
        WHERE tbl = 'outbox' AND key = r.key;
        PERFORM triage.append('reply_sending', item ->> 'comment_id', jsonb_build_object(
            'data', jsonb_build_object('attempt', item -> 'attempts', 'check_first', first,
                'record', jsonb_build_object('table', 'outbox', 'key', r.key, 'doc', item))));
        doc := item;
        check_first := first;
        RETURN NEXT;
    END LOOP;
END
$$;

-- The platform took the reply (or already had it: p_found): the item is sent, once.
CREATE FUNCTION triage.outbox_sent(p_item_id text, p_reply_id text, p_found boolean)
RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    item jsonb;
    stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'admin'], 'send the outbox');
    SELECT records.doc INTO item FROM triage.records WHERE tbl = 'outbox' AND key = p_item_id
    FOR UPDATE;
    IF item IS NULL THEN
        RAISE EXCEPTION 'no outbox item %', p_item_id USING ERRCODE = 'TR404';
    END IF;
    IF item ->> 'state' <> 'sending' THEN
        RAISE EXCEPTION 'outbox item % is %, not sending', p_item_id, item ->> 'state'
            USING ERRCODE = 'TR401';
    END IF;
    item := (item - 'lease_until') || jsonb_build_object('state', 'sent', 'reply_id', p_reply_id,
        'found', p_found, 'uncertain', false, 'last_error', '', 'sent_at', stamp,
        'updated_at', stamp);
    UPDATE triage.records SET doc = item, updated_at = now()
    WHERE tbl = 'outbox' AND key = p_item_id;
    RETURN triage.append('reply_sent', item ->> 'comment_id', jsonb_build_object('data',
        jsonb_build_object('reply_id', p_reply_id, 'found', p_found,
            'record', jsonb_build_object('table', 'outbox', 'key', p_item_id, 'doc', item))));
END
$$;

-- An attempt failed: retried at p_retry_at, or (NULL) given up; a reply given up gives the
-- comment back its status from before the reply.
CREATE FUNCTION triage.outbox_failed(p_item_id text, p_error text, p_retry_at timestamptz,
                                     p_uncertain boolean)
RETURNS triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    item jsonb;
    final boolean := p_retry_at IS NULL;
    stamp text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
    PERFORM triage.require_role(ARRAY['agent', 'admin'], 'send the outbox');
    SELECT records.doc INTO item FROM triage.records WHERE tbl = 'outbox' AND key = p_item_id
    FOR UPDATE;
    IF item IS NULL THEN
        RAISE EXCEPTION 'no outbox item %', p_item_id USING ERRCODE = 'TR404';
    END IF;
    IF item ->> 'state' <> 'sending' THEN
        RAISE EXCEPTION 'outbox item % is %, not sending', p_item_id, item ->> 'state'
            USING ERRCODE = 'TR401';
    END IF;
    item := (item - 'lease_until') || jsonb_build_object(
        'state', CASE WHEN final THEN 'failed_permanently' ELSE 'failed' END,
        'last_error', p_error, 'uncertain', p_uncertain, 'updated_at', stamp,
        'retry_at', CASE WHEN final THEN NULL ELSE to_char(p_retry_at AT TIME ZONE 'UTC',
                                                   'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END);
    UPDATE triage.records SET doc = item, updated_at = now()
    WHERE tbl = 'outbox' AND key = p_item_id;
    IF final AND item ->> 'status_before' IS NOT NULL THEN
        UPDATE triage.comments SET status = item ->> 'status_before'
        WHERE id = item ->> 'comment_id' AND status = 'replied';
    END IF;
    RETURN triage.append(CASE WHEN final THEN 'reply_failed_permanently' ELSE 'reply_failed' END,
        item ->> 'comment_id', jsonb_build_object('data', jsonb_build_object('error', p_error,
            'record', jsonb_build_object('table', 'outbox', 'key', p_item_id, 'doc', item))));
END
$$;

REVOKE EXECUTE ON FUNCTION triage.outbox_take(integer, integer),
    triage.outbox_sent(text, text, boolean),
    triage.outbox_failed(text, text, timestamptz, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION triage.outbox_take(integer, integer),
    triage.outbox_sent(text, text, boolean),
    triage.outbox_failed(text, text, timestamptz, boolean)
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
