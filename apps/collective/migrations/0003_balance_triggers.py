"""The database keeps the books honest, whatever path writes them (form, API, import, admin,
a raw ORM save or SQL): a voucher is inserted unposted; it becomes posted only by a status
change, refused unless it has at least two lines and its debits equal its credits; a posted
voucher's status, date, book and kind never change and it is never deleted; lines of a posted
voucher are never added, changed or removed (ADR 0027).

On PostgreSQL the line trigger takes the voucher row FOR SHARE, so a line written by one
transaction and a posting by another are serialised: the posting's sum sees the line, or the
line sees the posted status."""

from django.db import migrations

MSG_POST = "collective: voucher unbalanced or with fewer than two lines cannot be posted"
MSG_INSERT = "collective: a voucher is inserted unposted and posted by a status change"
MSG_FROZEN = "collective: a posted voucher cannot be changed or deleted; reverse it"
MSG_LINES = "collective: lines of a posted voucher cannot be added, changed or removed"

SQLITE = [
    f"""CREATE TRIGGER collective_voucher_insert BEFORE INSERT ON collective_voucher
    WHEN NEW.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MSG_INSERT}'); END""",
    f"""CREATE TRIGGER collective_voucher_post BEFORE UPDATE ON collective_voucher
    WHEN NEW.status = 'posted' AND OLD.status <> 'posted' BEGIN
      SELECT RAISE(ABORT, '{MSG_POST}')
      WHERE (SELECT COUNT(*) FROM collective_voucherline WHERE voucher_id = NEW.id) < 2
         OR (SELECT SUM(debit) - SUM(credit) FROM collective_voucherline
             WHERE voucher_id = NEW.id) <> 0;
    END""",
    f"""CREATE TRIGGER collective_voucher_frozen BEFORE UPDATE ON collective_voucher
    WHEN OLD.status = 'posted' AND (NEW.status <> 'posted' OR NEW.date <> OLD.date
      OR NEW.book_id <> OLD.book_id OR NEW.kind <> OLD.kind OR NEW.id <> OLD.id)
    BEGIN SELECT RAISE(ABORT, '{MSG_FROZEN}'); END""",
    f"""CREATE TRIGGER collective_voucher_delete BEFORE DELETE ON collective_voucher
    WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MSG_FROZEN}'); END""",
    f"""CREATE TRIGGER collective_line_insert BEFORE INSERT ON collective_voucherline
    WHEN (SELECT status FROM collective_voucher WHERE id = NEW.voucher_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, '{MSG_LINES}'); END""",
    f"""CREATE TRIGGER collective_line_update BEFORE UPDATE ON collective_voucherline
    WHEN (SELECT status FROM collective_voucher WHERE id = OLD.voucher_id) = 'posted'
      OR (SELECT status FROM collective_voucher WHERE id = NEW.voucher_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, '{MSG_LINES}'); END""",
    f"""CREATE TRIGGER collective_line_delete BEFORE DELETE ON collective_voucherline
    WHEN (SELECT status FROM collective_voucher WHERE id = OLD.voucher_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, '{MSG_LINES}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS collective_voucher_insert",
    "DROP TRIGGER IF EXISTS collective_voucher_post",
    "DROP TRIGGER IF EXISTS collective_voucher_frozen",
    "DROP TRIGGER IF EXISTS collective_voucher_delete",
    "DROP TRIGGER IF EXISTS collective_line_insert",
    "DROP TRIGGER IF EXISTS collective_line_update",
    "DROP TRIGGER IF EXISTS collective_line_delete",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION collective_voucher_guard() RETURNS trigger AS $$
    DECLARE n integer; d bigint; c bigint;
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'posted' THEN
          RAISE EXCEPTION '{MSG_FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
      END IF;
      IF TG_OP = 'INSERT' THEN
        IF NEW.status = 'posted' THEN
          RAISE EXCEPTION '{MSG_INSERT}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      IF OLD.status = 'posted' THEN
        IF NEW.status <> 'posted' OR NEW.date <> OLD.date OR NEW.book_id <> OLD.book_id
           OR NEW.kind <> OLD.kind OR NEW.id <> OLD.id THEN
          RAISE EXCEPTION '{MSG_FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      IF NEW.status = 'posted' THEN
        SELECT COUNT(*), COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO n, d, c
          FROM collective_voucherline WHERE voucher_id = NEW.id;
        IF n < 2 OR d <> c THEN
          RAISE EXCEPTION '{MSG_POST}' USING ERRCODE = 'check_violation';
        END IF;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER collective_voucher_guard BEFORE INSERT OR UPDATE OR DELETE
    ON collective_voucher FOR EACH ROW EXECUTE FUNCTION collective_voucher_guard()""",
    f"""CREATE OR REPLACE FUNCTION collective_line_guard() RETURNS trigger AS $$
    DECLARE s text;
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO s FROM collective_voucher WHERE id = OLD.voucher_id FOR SHARE;
        IF s = 'posted' THEN
          RAISE EXCEPTION '{MSG_LINES}' USING ERRCODE = 'check_violation';
        END IF;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO s FROM collective_voucher WHERE id = NEW.voucher_id FOR SHARE;
        IF s = 'posted' THEN
          RAISE EXCEPTION '{MSG_LINES}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER collective_line_guard BEFORE INSERT OR UPDATE OR DELETE
    ON collective_voucherline FOR EACH ROW EXECUTE FUNCTION collective_line_guard()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS collective_line_guard ON collective_voucherline",
    "DROP FUNCTION IF EXISTS collective_line_guard()",
    "DROP TRIGGER IF EXISTS collective_voucher_guard ON collective_voucher",
    "DROP FUNCTION IF EXISTS collective_voucher_guard()",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor)
    if statements is None:
        raise RuntimeError(f"no balance triggers for the {vendor} engine")
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("collective", "0002_chart_of_accounts")]

    operations = [migrations.RunPython(create, drop)]
