"""A posted voucher's link to its contract and instalment never changes either (issue 17):
a receipt booked against a land-transfer contract stays that contract's receipt, so the
overdue flags and the 村务公开 page cannot be rearranged after the fact. Separate triggers
from migration 0003's (which stay as they are), on SQLite and PostgreSQL."""

from django.db import migrations

MSG = "collective: the contract of a posted voucher cannot be changed; reverse it"

SQLITE = [
    f"""CREATE TRIGGER collective_voucher_links_frozen BEFORE UPDATE ON collective_voucher
    WHEN OLD.status = 'posted' AND (NEW.contract_id IS NOT OLD.contract_id
      OR NEW.instalment_id IS NOT OLD.instalment_id)
    BEGIN SELECT RAISE(ABORT, '{MSG}'); END"""
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS collective_voucher_links_frozen"]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION collective_voucher_links_guard() RETURNS trigger AS $$
    BEGIN
      IF NEW.contract_id IS DISTINCT FROM OLD.contract_id
         OR NEW.instalment_id IS DISTINCT FROM OLD.instalment_id THEN
        RAISE EXCEPTION '{MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER collective_voucher_links_guard BEFORE UPDATE ON collective_voucher
    FOR EACH ROW WHEN (OLD.status = 'posted')
    EXECUTE FUNCTION collective_voucher_links_guard()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS collective_voucher_links_guard ON collective_voucher",
    "DROP FUNCTION IF EXISTS collective_voucher_links_guard()",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor)
    if statements is None:
        raise RuntimeError(f"no voucher link triggers for the {vendor} engine")
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("collective", "0003_balance_triggers")]

    operations = [migrations.RunPython(create, drop)]
