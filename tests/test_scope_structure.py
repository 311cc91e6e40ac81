"""Structural guard for scoped access: every model of the project is either reachable in the
admin only through ScopedAdmin (or an admin whose scoping is explained here), or not in the
admin at all; and every model that belongs to an area says where (`audit_scope_path`).

A new model fails this test until someone decides how it is scoped, so no model can slip into
the admin unscoped. The per-app scope matrices (pages, API, admin, export) test the behaviour.
"""

import pytest
from django.apps import apps
from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

# Admins that are not ScopedAdmin, and why they cannot show another area's data.
OTHER_SCOPING = {
    "projects.stagetemplate": "the installation's stage templates (SLA, lamps), no personal data",
    "core.auditevent": "filtered by the event's scope_path against the administrator's scope",
    "people.caretag": "managed list shared by the whole installation, no personal data",
    "people.skill": "managed list shared by the whole installation, no personal data",
    "forestry.patrolrule": "the installation's patrol rule table (how often a level patrols)",
    "notifications.notification": "an account sees only its own inbox (superusers all)",
    "notifications.delivery": "superusers only; others see none",
}

# Models with no place of their own: reference lists, logs owned by another scoped row.
NO_AREA = {
    # an account's second factor: used only by its own login, never listed
    "accounts.totpdevice",
    "accounts.recoverycode",
    "accounts.passwordhistory",  # the hashes of its last passwords (passwords.py)
    "core.auditevent",
    "core.audithead",
    "people.caretag",
    "people.skill",
    "notifications.notification",
    "notifications.preference",
    "notifications.quiethours",
    "notifications.delivery",
    "cases.category",
    "cases.caseevent",
    "cases.caseattachment",
    "ecg.criticalnotice",
    "ecg.examfile",
    "ecg.diagnosisterm",
    # aggregate counts keyed by place path, read only through the scoped indicator selectors
    "cases.caserollup",
    "cases.casemonthrollup",
    "forestry.patrolrule",  # how often each chief level patrols: one table for the installation
    "collective.account",  # the chart of accounts (财会〔2023〕14号), the same for every village
    # rows owned by a scoped row and read only through it (a voucher, a contract)
    "collective.voucherline",
    "collective.approval",
    "collective.instalment",
    "outbox.receipt",  # an outbox entry's first answer, read back only by the account that sent it
    # a photo on its way up, in chunks: read and resumed only by the account that sends it,
    # then attached to its record, which carries the area (ADR 0059)
    "outbox.upload",
    "outbox.uploadchunk",
    "projects.stagetemplate",  # the stage templates are shared by every project
}


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("apps.")]


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label_lower)
def test_it_admits_a_model_to_the_admin_only_scoped(model):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return
    label = model._meta.label_lower
    assert isinstance(model_admin, ScopedAdmin) or label in OTHER_SCOPING, (
        f"{label} is in the admin without ScopedAdmin: scope it or explain in OTHER_SCOPING"
    )


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label_lower)
def test_it_knows_the_area_of_every_model(model):
    label = model._meta.label_lower
    assert hasattr(model, "audit_scope_path") or label in NO_AREA, (
        f"{label} has no audit_scope_path: say which area it belongs to, or list it in NO_AREA"
    )


# Models with an area whose default manager is not a ScopedQuerySet, and why.
NO_VISIBLE_TO: dict[str, str] = {}  # none: accounts.User's manager is scoped too


def _place_at_end_of(model, path: str):
    """Follow `path` (a__b__c) through the model's relations; the model it ends on."""
    for name in [p for p in path.split("__") if p]:
        model = model._meta.get_field(name).related_model
    return model


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label_lower)
def test_every_model_with_an_area_states_its_scope_path_once(model):
    from apps.places.models import Place
    from apps.places.scope import ScopedQuerySet

    label = model._meta.label_lower
    if label in NO_AREA:
        return
    path = getattr(model, "scope_path", None)
    assert isinstance(path, str), f"{label} has an area but no scope_path"
    assert _place_at_end_of(model, path) is Place, f"{label}.scope_path {path!r} ends off a Place"
    for other in getattr(model, "other_scope_paths", ()):
        assert _place_at_end_of(model, other) is Place, f"{label}: {other!r} ends off a Place"
    if label not in NO_VISIBLE_TO:
        assert isinstance(model._default_manager.all(), ScopedQuerySet), (
            f"{label}: its manager has no visible_to(user); use ScopedQuerySet"
        )


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label_lower)
def test_every_model_with_a_place_has_an_area(model):
    """A model with a relation to a place belongs to an area (or is listed in NO_AREA)."""
    from apps.places.models import Place

    label = model._meta.label_lower
    relations = [
        f
        for f in model._meta.get_fields()
        if f.concrete and getattr(f, "related_model", None) is Place
    ]
    assert not relations or hasattr(model, "scope_path") or label in NO_AREA, (
        f"{label} points at a place but states no scope_path"
    )


@pytest.mark.django_db
def test_visible_to_keeps_the_rows_of_the_scope_only(world):
    from apps.places.models import Place

    outsider = world.user("outsider_b")
    seen = set(Place.objects.visible_to(outsider).values_list("pk", flat=True))
    assert world.household_b.pk in seen and world.community_b.pk in seen
    assert world.household_a.pk not in seen and world.town.pk not in seen
    assert not Place.objects.visible_to(None).exists()


def test_a_read_by_another_area_names_a_path_the_model_states():
    from apps.accounts.models import User
    from apps.cases.models import Case
    from apps.places.models import Place

    user = User(pk=1, username="u", scope=Place(pk=1, path="0001"))
    sql = str(Case.objects.visible_to(user, via="handling_unit").query)
    assert '"handling_unit_id" = ' in sql and "0001" in sql and '"place_id" = ' not in sql
    with pytest.raises(ValueError, match="states no scope path"):
        Case.objects.visible_to(None, via="reporter__place")


def test_no_call_site_writes_the_scope_rule():
    """The rule is applied only through `visible_to` (and `place_visible` for a loaded place):
    `scope_q` is called in apps/places/scope.py alone."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "apps"
    callers = [
        str(path.relative_to(root.parent))
        for path in root.rglob("*.py")
        if "scope_q(" in path.read_text(encoding="utf-8")
        and path.relative_to(root).parts[0:2] != ("places", "scope.py")
        and "tests" not in path.relative_to(root).parts
    ]
    assert callers == []
