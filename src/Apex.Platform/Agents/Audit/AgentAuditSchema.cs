namespace Apex.Platform.Agents.Audit;

/// <summary>
/// The audit trail's tables and triggers. The trail is written by the database itself: every run
/// started or finished and every step stored is appended by a trigger in the same transaction, so
/// no code path can act unrecorded. Rows are hash-chained per tenant (each hash covers the previous
/// one and the row's own fields) and UPDATE, DELETE and TRUNCATE are refused by triggers.
/// </summary>
public static class AgentAuditSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS agent_audit (
            seq bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL,
            run_id uuid,
            actor text NOT NULL,
            action text NOT NULL,
            detail text NOT NULL,
            at timestamptz NOT NULL,
            prev_hash bytea NOT NULL DEFAULT ''::bytea,
            hash bytea NOT NULL DEFAULT ''::bytea);
        CREATE INDEX IF NOT EXISTS agent_audit_tenant ON agent_audit (tenant_id, at);
        CREATE INDEX IF NOT EXISTS agent_audit_run ON agent_audit (run_id);

        -- JSON keeps the fields apart unambiguously; time in whole microseconds, as stored.
        CREATE OR REPLACE FUNCTION agent_audit_canonical(a agent_audit) RETURNS bytea LANGUAGE sql STABLE AS $$
            SELECT convert_to(json_build_array(a.seq, a.tenant_id, a.run_id, a.actor, a.action, a.detail,
                (extract(epoch FROM a.at) * 1000000)::bigint)::text, 'UTF8') $$;

        -- The tenant's lock is taken before the sequence number, so within a tenant the order of
        -- seq is the order of the chain even when several transactions append at once.
        CREATE OR REPLACE FUNCTION agent_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended('agent_audit:' || NEW.tenant_id::text, 0));
            NEW.seq := nextval(pg_get_serial_sequence('agent_audit', 'seq'));
            SELECT hash INTO NEW.prev_hash FROM agent_audit WHERE tenant_id = NEW.tenant_id ORDER BY seq DESC LIMIT 1;
            NEW.prev_hash := coalesce(NEW.prev_hash, ''::bytea);
            NEW.hash := sha256(NEW.prev_hash || agent_audit_canonical(NEW));
            RETURN NEW;
        END $$;
        CREATE OR REPLACE TRIGGER agent_audit_chain BEFORE INSERT ON agent_audit FOR EACH ROW EXECUTE FUNCTION agent_audit_chain();

        CREATE OR REPLACE FUNCTION agent_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'agent_audit is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE OR REPLACE TRIGGER agent_audit_append_only BEFORE UPDATE OR DELETE ON agent_audit FOR EACH ROW EXECUTE FUNCTION agent_audit_refuse();
        CREATE OR REPLACE TRIGGER agent_audit_no_truncate BEFORE TRUNCATE ON agent_audit FOR EACH STATEMENT EXECUTE FUNCTION agent_audit_refuse();

        CREATE OR REPLACE FUNCTION agent_audit_run() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO agent_audit (tenant_id, run_id, actor, action, detail, at)
                VALUES (NEW.tenant_id, NEW.id, 'user:' || NEW.user_id, 'run.started', NEW.goal, NEW.created_at);
            ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
                INSERT INTO agent_audit (tenant_id, run_id, actor, action, detail, at)
                VALUES (NEW.tenant_id, NEW.id, 'supervisor', 'run.' || NEW.status, coalesce(left(NEW.answer, 2000), ''), NEW.updated_at);
            END IF;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER agent_runs_audit AFTER INSERT OR UPDATE ON agent_runs FOR EACH ROW EXECUTE FUNCTION agent_audit_run();

        CREATE OR REPLACE FUNCTION agent_audit_step() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO agent_audit (tenant_id, run_id, actor, action, detail, at)
            SELECT r.tenant_id, NEW.run_id, coalesce('tool:' || NEW.tool, 'supervisor'), 'step.' || NEW.kind, left(NEW.content, 2000), NEW.created_at
            FROM agent_runs r WHERE r.id = NEW.run_id;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER agent_run_steps_audit AFTER INSERT ON agent_run_steps FOR EACH ROW EXECUTE FUNCTION agent_audit_step();
        """;
}
