"""Append-only audit tables on PostgreSQL (DESIGN §4.5).

Events, seals and checkpoints refuse UPDATE. DELETE is refused too, except for retention:
an event or seal may go only when an ``AuditCheckpoint`` already covers it (its seal's
``seq`` is at or below the newest checkpoint's ``up_to_seq``), so pruning must first leave a
checkpoint that keeps the rest of the chain verifiable. Checkpoints are never deleted.
SQLite has no such guard; ``verify_audit`` finds tampering on both.

TRUNCATE is not trapped: Django's test flush truncates every table, and the application's
database role should not own these tables in production (owners can disable triggers anyway,
which is why the hash chain exists).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cut bigint;
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME <> 'audit_auditcheckpoint' THEN
        SELECT max(up_to_seq) INTO cut FROM audit_auditcheckpoint;
        IF cut IS NOT NULL THEN
            -- Nested: PL/pgSQL does not short-circuit, and each table has other columns.
            IF TG_TABLE_NAME = 'audit_auditseal' THEN
                IF OLD.seq <= cut THEN
                    RETURN OLD;
                END IF;
            ELSIF EXISTS (
                SELECT 1 FROM audit_auditseal s WHERE s.event_id = OLD.id AND s.seq <= cut
            ) THEN
                RETURN OLD;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
TABLES = ("audit_accessevent", "audit_auditseal", "audit_auditcheckpoint")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_seal_checkpoint_breakglass")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
