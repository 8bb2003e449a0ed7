-- The group roles, the owner of Triage's objects and the schema with its version table.
-- Run by `triage db init` as an administrator (a superuser, or a role with CREATEROLE);
-- every statement can run again without harm.
DO $init$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['triage_owner', 'triage_agent', 'triage_approver',
                                     'triage_legal', 'triage_admin', 'triage_pharmacovigilance']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
        END IF;
    END LOOP;
    -- The installer acts as the owner while migrating; nobody logs in as it.
    IF NOT pg_has_role(current_user, 'triage_owner', 'MEMBER') THEN
        EXECUTE format('GRANT triage_owner TO %I', current_user);
    END IF;
    EXECUTE format('GRANT CREATE ON DATABASE %I TO triage_owner', current_database());
END
$init$;

CREATE SCHEMA IF NOT EXISTS triage AUTHORIZATION triage_owner;
REVOKE ALL ON SCHEMA triage FROM PUBLIC;
GRANT USAGE ON SCHEMA triage
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;

SET LOCAL ROLE triage_owner;
CREATE TABLE IF NOT EXISTS triage.schema_version (
    version integer PRIMARY KEY,
    name text NOT NULL,
    sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT session_user
);
GRANT SELECT ON triage.schema_version
    TO triage_agent, triage_approver, triage_legal, triage_admin, triage_pharmacovigilance;
RESET ROLE;
