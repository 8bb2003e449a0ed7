-- The journal's chain, the checks every change goes through, and the append that
-- serialises writers, chains the row and tells listeners on commit.

-- The canonical form of a journal row, hashed: jsonb's text is the same on every server.
CREATE FUNCTION triage.entry_hash(p_seq bigint, p_at timestamptz, p_actor text, p_kind text,
                                  p_comment_id text, p_body jsonb, p_prev text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT encode(sha256(convert_to(jsonb_build_object(
        'seq', p_seq,
        'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', p_actor, 'kind', p_kind, 'comment_id', p_comment_id,
        'body', p_body, 'prev', p_prev)::text, 'UTF8')), 'hex')
$$;

-- The Triage roles of a login, as words ("agent, legal"), for refusals.
CREATE FUNCTION triage.roles_of(p_login text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(string_agg(substr(rolname, 8), ', ' ORDER BY rolname), 'no Triage role')
    FROM pg_roles
    WHERE rolname LIKE 'triage\_%' AND rolname <> 'triage_owner'
      AND EXISTS (SELECT 1 FROM pg_roles AS login WHERE login.rolname = p_login)
      AND pg_has_role(p_login, oid, 'MEMBER')
$$;

-- Refuse unless the login (session_user, never a value passed in) has one of the roles.
CREATE FUNCTION triage.require_role(p_roles text[], p_action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(p_roles) AS r
               WHERE pg_has_role(session_user, 'triage_' || r, 'MEMBER')) THEN
        RETURN;
    END IF;
    RAISE EXCEPTION 'only the % role can % (% has: %)', array_to_string(p_roles, ' or '),
        p_action, session_user, triage.roles_of(session_user)
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Append one row under the journal lock; NOTIFY carries its seq once the change commits.
CREATE FUNCTION triage.append(p_kind text, p_comment_id text, p_body jsonb)
RETURNS triage.journal
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_row triage.journal;
    new_row triage.journal;
BEGIN
    PERFORM pg_advisory_xact_lock(7262611001);
    SELECT * INTO last_row FROM triage.journal ORDER BY seq DESC LIMIT 1;
    new_row.seq := coalesce(last_row.seq, 0) + 1;
    new_row.at := date_trunc('milliseconds', clock_timestamp());
    new_row.actor := session_user;
    new_row.kind := p_kind;
    new_row.comment_id := p_comment_id;
    new_row.body := coalesce(p_body, '{}'::jsonb);
    new_row.prev := coalesce(last_row.hash, repeat('0', 64));
    new_row.hash := triage.entry_hash(new_row.seq, new_row.at, new_row.actor, new_row.kind,
                                      new_row.comment_id, new_row.body, new_row.prev);
    INSERT INTO triage.journal VALUES (new_row.*);
    PERFORM pg_notify('triage_changes', jsonb_build_object(
        'seq', new_row.seq, 'kind', p_kind, 'id', p_comment_id)::text);
    RETURN new_row;
END
$$;

-- Walk the chain in order: how many rows hold together, and the first that does not.
CREATE FUNCTION triage.verify_journal(OUT entries bigint, OUT broken_seq bigint, OUT reason text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    row_ triage.journal;
    expect_prev text := repeat('0', 64);
BEGIN
    entries := 0;
    FOR row_ IN SELECT * FROM triage.journal ORDER BY seq LOOP
        IF row_.seq <> entries + 1 THEN
            broken_seq := row_.seq;
            reason := format('entry %s follows entry %s: entries are missing', row_.seq, entries);
            RETURN;
        END IF;
        IF row_.prev <> expect_prev THEN
            broken_seq := row_.seq;
            reason := format('entry %s does not follow the hash of the entry before it', row_.seq);
            RETURN;
        END IF;
        IF row_.hash <> triage.entry_hash(row_.seq, row_.at, row_.actor, row_.kind,
                                          row_.comment_id, row_.body, row_.prev) THEN
            broken_seq := row_.seq;
            reason := format('entry %s was changed after it was written', row_.seq);
            RETURN;
        END IF;
        entries := row_.seq;
        expect_prev := row_.hash;
    END LOOP;
END
$$;

CREATE FUNCTION triage.held(p_comment_id text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT (doc ->> 'active')::boolean FROM triage.records
                     WHERE tbl = 'holds' AND key = p_comment_id), false)
$$;

-- A batch id for the rows of one call on several comments (one undo).
CREATE FUNCTION triage.batch_of(p_ids text[]) RETURNS jsonb
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN cardinality(p_ids) > 1
        THEN jsonb_build_object('batch', substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))
        ELSE '{}'::jsonb END
$$;

REVOKE EXECUTE ON FUNCTION triage.entry_hash(bigint, timestamptz, text, text, text, jsonb, text),
    triage.roles_of(text), triage.require_role(text[], text),
    triage.append(text, text, jsonb), triage.verify_journal(), triage.held(text),
    triage.batch_of(text[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION triage.verify_journal(), triage.held(text),
    triage.entry_hash(bigint, timestamptz, text, text, text, jsonb, text)
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
