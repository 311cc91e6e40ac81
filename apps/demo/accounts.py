"""Staff accounts of the demo county: at least one per role, scoped as the role implies.

Every account shares DEMO_PASSWORD. Its hash is computed once and reused: hashing is slow on
purpose (about half a second each), and hundreds of grid workers would otherwise dominate
the load time.
"""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from apps.accounts.choices import Role
from apps.accounts.models import User

from . import names
from .society import TownSummary

DEMO_PASSWORD = "Gongzhi@2026"
SHOWN_PER_ROLE = 2  # logins listed in the result; the database holds them all


@dataclass(frozen=True)
class CountyAccounts:
    """County-level ids the accounts point at."""

    county_id: int
    county_name: str
    leader: tuple[int, str]  # person id, name
    physicians: list[tuple[int, str]]
    departments: list[str]


@dataclass
class Accounts:
    """Collects User rows with the name of their scope, for the login list."""

    rng: random.Random
    password: str
    rows: list[tuple[User, str]] = field(default_factory=list)
    serial: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        prefix: str,
        role: str,
        scope: tuple[int, str],
        person: tuple[int, str] | None = None,
        numbered: bool = True,
        **extra: bool,
    ) -> None:
        self.serial[prefix] = self.serial.get(prefix, 0) + 1
        username = f"{prefix}{self.serial[prefix]:02d}" if numbered else prefix
        display = (
            person[1]
            if person
            else names.surname(self.rng) + names.given_name(self.rng, 1980, self.rng.choice("MF"))
        )
        user = User(
            username=username,
            role=role,
            scope_id=scope[0],
            display_name=display,
            person_id=person[0] if person else None,
            password=self.password,
            **extra,
        )
        self.rows.append((user, scope[1]))


def create_accounts(
    county: CountyAccounts, towns: list[TownSummary], rng: random.Random
) -> tuple[int, list[dict[str, str]]]:
    """Insert the demo accounts; return how many and the login list (a few per role)."""
    accounts = Accounts(rng, make_password(DEMO_PASSWORD))
    scope = (county.county_id, county.county_name)
    # Not a superuser: a superuser also holds the security administrator's work (三员分立); the
    # installation's break-glass superuser is made with `gongzhi createsuperuser`, not by the demo.
    accounts.add("admin", Role.ADMIN, scope, numbered=False, is_staff=True)
    accounts.add("leader", Role.COUNTY_LEADER, scope, county.leader, numbered=False)
    # 三员分立: the security administrator and the auditor beside the system administrator
    accounts.add("secadmin", Role.SECURITY_ADMIN, scope, numbered=False, is_staff=True)
    accounts.add("auditor", Role.AUDITOR, scope, numbered=False, is_staff=True)
    for dept in county.departments:
        accounts.add("dept", Role.DEPT_HANDLER, (county.county_id, dept))
    for physician in county.physicians:
        accounts.add("ecg", Role.ECG_PHYSICIAN, scope, physician)
    for town in towns:
        _town_accounts(accounts, town)
    User.objects.bulk_create([user for user, _ in accounts.rows], batch_size=1000)
    return len(accounts.rows), _login_list(accounts.rows)


def _town_accounts(accounts: Accounts, town: TownSummary) -> None:
    accounts.add("town", Role.TOWN_STAFF, town.town)
    for community in town.communities:
        accounts.add("community", Role.COMMUNITY_STAFF, community)
    for grid_id, grid_name, worker in town.grids:
        accounts.add("grid", Role.GRID_WORKER, (grid_id, grid_name), worker)
    if town.clinic:
        accounts.add("doctor", Role.CLINIC_DOCTOR, (town.town[0], town.clinic[1]))
    for zone, chief, ranger in town.forest:
        accounts.add("forest", Role.FOREST_CHIEF, town.town, chief)
        accounts.add("ranger", Role.RANGER, zone, ranger)
    for person, community in town.party:
        accounts.add("party", Role.PARTY_MEMBER, community, person)
    for person, community in town.volunteers:
        accounts.add("volunteer", Role.VOLUNTEER, community, person)


def stored_logins() -> list[dict[str, str]]:
    """The login list read back from the database, once every app's demo has added its own
    accounts (key projects, village books …): a few per role, in the order they were made."""
    users = User.objects.select_related("scope").order_by("pk")
    return _login_list([(user, user.scope.name if user.scope else "") for user in users])


def _login_list(rows: list[tuple[User, str]]) -> list[dict[str, str]]:
    shown: dict[str, int] = {}
    out: list[dict[str, str]] = []
    for user, scope_name in rows:
        if shown.get(user.role, 0) >= SHOWN_PER_ROLE:
            continue
        shown[user.role] = shown.get(user.role, 0) + 1
        out.append(
            {
                "username": user.username,
                "role": user.role,
                "role_label": str(Role(user.role).label),
                "scope": scope_name,
            }
        )
    return out
