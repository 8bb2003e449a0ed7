-- What people do, as functions that run with the owner's rights: each checks the login's
-- role, changes the state and appends to the journal in the caller's transaction.

-- Change the status of comments. One comment alone is refused when held or deleted, saying
-- why; in a batch those are left out. Comments already in that status are skipped.
CREATE FUNCTION triage.change_status(p_ids text[], p_status text, p_kind text, p_action text)
RETURNS SETOF triage.journal
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    alone boolean := cardinality(p_ids) = 1;
    batch jsonb := triage.batch_of(p_ids);
BEGIN
    IF alone AND NOT EXISTS (SELECT 1 FROM triage.comments WHERE id = p_ids[1]) THEN
        RAISE EXCEPTION 'no comment with id %', quote_literal(p_ids[1]) USING ERRCODE = 'TR404';
    END IF;
    FOR c IN SELECT id, status FROM triage.comments WHERE id = ANY (p_ids)
             ORDER BY id FOR UPDATE LOOP
        IF triage.held(c.id) OR c.status = 'deleted' THEN
            IF alone THEN
                RAISE EXCEPTION 'cannot %: %', p_action, CASE WHEN c.status = 'deleted'
                    THEN 'the comment was deleted at its source'
                    ELSE format('%s is on legal hold until legal releases it', c.id) END
                    USING ERRCODE = 'TR401';
            END IF;
            CONTINUE;
        END IF;
        CONTINUE WHEN c.status = p_status;
        UPDATE triage.comments SET status = p_status WHERE id = c.id;
        RETURN NEXT triage.append(p_kind, c.id, jsonb_build_object(
            'before', jsonb_build_object('status', c.status),
            'after', jsonb_build_object('status', p_status)) || batch);
    END LOOP;
END
$$;

CREATE FUNCTION triage.dismiss(p_ids text[]) RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'dismiss comments');
    RETURN QUERY SELECT * FROM triage.change_status(p_ids, 'dismissed', 'dismiss', 'dismiss');
END
$$;

CREATE FUNCTION triage.restore(p_ids text[]) RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'restore comments');
    RETURN QUERY SELECT * FROM triage.change_status(p_ids, 'new', 'restore', 'restore');
END
$$;

CREATE FUNCTION triage.set_status(p_ids text[], p_status text) RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'change the status of comments');
    IF p_status NOT IN ('new', 'replied', 'hidden', 'dismissed', 'escalated') THEN
        RAISE EXCEPTION 'cannot set the status %: one of new, replied, hidden, dismissed, '
            'escalated (a comment is deleted at its source)', p_status USING ERRCODE = 'TR401';
    END IF;
    RETURN QUERY SELECT * FROM triage.change_status(p_ids, p_status, 'status',
                                                   'change the status of');
END
$$;

-- Assign comments to a person who is an agent (NULL unassigns).
CREATE FUNCTION triage.assign(p_ids text[], p_person text) RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    batch jsonb := triage.batch_of(p_ids);
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'assign comments');
    IF p_person IS NOT NULL AND NOT (
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_person AND rolcanlogin)
            AND pg_has_role(p_person, 'triage_agent', 'MEMBER')) THEN
        RAISE EXCEPTION '% is not an agent of the team (a login in the role triage_agent)',
            quote_literal(p_person) USING ERRCODE = 'TR401';
    END IF;
    FOR c IN SELECT id, assignee FROM triage.comments WHERE id = ANY (p_ids)
             ORDER BY id FOR UPDATE LOOP
        CONTINUE WHEN c.assignee IS NOT DISTINCT FROM p_person;
        UPDATE triage.comments SET assignee = p_person WHERE id = c.id;
        RETURN NEXT triage.append('assign', c.id, jsonb_build_object(
            'before', jsonb_build_object('assignee', c.assignee),
            'after', jsonb_build_object('assignee', p_person)) || batch);
    END LOOP;
END
$$;

-- Add or remove a tag by hand; the row says whether the tagger had given it.
CREATE FUNCTION triage.correct_tag(p_ids text[], p_tag text, p_add boolean)
RETURNS SETOF triage.journal
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    had jsonb;
    new_tags jsonb;
    names text[] := ARRAY['crisis', 'adverse_event', 'privacy', 'misinformation', 'abuse',
                          'question'];
    batch jsonb := triage.batch_of(p_ids);
BEGIN
    PERFORM triage.require_role(ARRAY['agent'], 'correct tags');
    IF NOT p_tag = ANY (names) THEN
        RAISE EXCEPTION 'unknown tag % (one of %)', p_tag, array_to_string(names, ', ')
            USING ERRCODE = 'TR401';
    END IF;
    FOR c IN SELECT id, comments.tags AS old FROM triage.comments WHERE id = ANY (p_ids)
             ORDER BY id FOR UPDATE LOOP
        SELECT t INTO had FROM jsonb_array_elements(c.old) AS t WHERE t ->> 'name' = p_tag;
        CONTINUE WHEN (had IS NOT NULL) = p_add;
        SELECT coalesce(jsonb_agg(t ORDER BY array_position(names, t ->> 'name')), '[]')
        INTO new_tags
        FROM jsonb_array_elements(c.old || CASE WHEN p_add THEN jsonb_build_array(
                 jsonb_build_object('name', p_tag, 'score', 1.0, 'evidence', '[]'::jsonb,
                                    'source', 'manual:' || session_user))
                 ELSE '[]'::jsonb END) AS t
        WHERE p_add OR t ->> 'name' <> p_tag;
        UPDATE triage.comments SET tags = new_tags WHERE id = c.id;
        RETURN NEXT triage.append('tag', c.id, jsonb_build_object(
            'before', jsonb_build_object('tags', c.old),
            'after', jsonb_build_object('tags', new_tags),
            'data', jsonb_build_object('tag', p_tag, 'op', CASE WHEN p_add THEN 'add'
                                                              ELSE 'remove' END,
                'tagger_had', had IS NOT NULL
                              AND NOT coalesce(had ->> 'source', '') LIKE 'manual:%')) || batch);
    END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION triage.change_status(text[], text, text, text),
    triage.dismiss(text[]), triage.restore(text[]), triage.set_status(text[], text),
    triage.assign(text[], text), triage.correct_tag(text[], text, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION triage.dismiss(text[]), triage.restore(text[]),
    triage.set_status(text[], text), triage.assign(text[], text),
    triage.correct_tag(text[], text, boolean)
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
