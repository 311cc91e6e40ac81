"""Organisations, party members, volunteers and duties of one town.

Runs after `town.py` has built the town's places and residents: it picks residents for
committees and duties (building and unit heads live in their building, 包联 party members
serve households of their own community), then writes the PartyMember, Volunteer, care-tag
and skill rows for the people it picked.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.orgs.choices import MemberRole, OrgKind, PropertyModel
from apps.orgs.models import CompoundProfile, Membership, Organisation
from apps.people.choices import PartyEmployment, Sex
from apps.people.models import PartyMember, Person
from apps.volunteers.choices import VolunteerStatus
from apps.volunteers.models import Volunteer

from . import names
from .names import cn_number
from .people import REFERENCE_DATE, Member
from .plan import P2_BAOLIAN, spread
from .town import Community, Compound, TownState
from .writer import Row, Sink

DUTY_START = date(2024, 1, 1)
PROPERTY_SHARES = {  # (owner committee, property-management committee) weights
    PropertyModel.COMPANY: (55, 15),
    PropertyModel.NONE: (10, 35),
    PropertyModel.SHARED: (8, 15),
    PropertyModel.BUNDLED: (10, 15),
    PropertyModel.SELF_MANAGED: (7, 12),
    PropertyModel.JOINT_ACCOUNT: (10, 8),
}
AVAILABILITY = (
    {"sat": ["09:00-12:00"], "sun": ["09:00-12:00"]},
    {"mon": ["19:00-21:00"], "wed": ["19:00-21:00"], "fri": ["19:00-21:00"]},
    {"tue": ["08:30-11:30"], "thu": ["08:30-11:30"], "sat": ["14:00-17:00"]},
    {
        "mon": ["08:00-12:00"],
        "tue": ["08:00-12:00"],
        "wed": ["08:00-12:00"],
        "thu": ["08:00-12:00"],
        "fri": ["08:00-12:00"],
    },
    {"sat": ["08:00-17:00"]},
    {"fri": ["14:00-18:00"], "sun": ["14:00-18:00"]},
)
SKILLS_BY_AGE = {
    "young": ("tutoring", "computer", "culture", "errand", "driving", "psych"),
    "middle": ("repair", "plumbing", "driving", "legal", "medical", "cleaning", "errand"),
    "old": ("companionship", "haircut", "culture", "cleaning", "psych", "medical"),
}


@dataclass
class CountyContext:
    """County-wide rows and lookups every town refers to."""

    county: Row
    committee: Row
    companies: list[Row]
    leaders: list[Row]
    tag_ids: dict[str, int]
    skill_ids: dict[str, int]
    sink: Sink


@dataclass
class TownSummary:
    """What the account step needs from a town once its rows are gone from memory."""

    town: tuple[int, str]
    communities: list[tuple[int, str]] = field(default_factory=list)
    # (id, name) pairs: grids as (grid id, grid name, worker), forest as (zone, chief, ranger),
    # party members and volunteers as (person, community)
    grids: list[tuple[int, str, tuple[int, str]]] = field(default_factory=list)
    clinic: tuple[int, str] | None = None
    forest: list[tuple[tuple[int, str], ...]] = field(default_factory=list)
    party: list[tuple[tuple[int, str], tuple[int, str]]] = field(default_factory=list)
    volunteers: list[tuple[tuple[int, str], tuple[int, str]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Society:
    """Builds the organisations, roles and duties of one town into the county's sink."""

    def __init__(self, state: TownState, ctx: CountyContext, seed: int) -> None:
        self.state = state
        self.ctx = ctx
        self.sink = ctx.sink
        self.rng = random.Random(f"{seed}/society/{state.plan.index}")
        self.summary = TownSummary((state.place.pk, state.place.name))
        self.counts: dict[str, int] = {}
        self.branch_of: dict[int, Row] = {}

    def build(self) -> TownSummary:
        state = self.state
        town_committee = self.org(
            OrgKind.PARTY_COMMITTEE,
            f"中共{state.place.name}委员会",
            state.place,
            parent=self.ctx.committee,
        )
        team = self.org(
            OrgKind.VOLUNTEER_TEAM, f"{state.place.name}新时代文明实践志愿服务队", state.place
        )
        for community in state.communities:
            self.choose_party_members(community)
            self.community_orgs(community, town_committee)
            for compound in community.compounds:
                self.compound_orgs(community, compound)
            self.grid_workers(community)
        self.baolian()
        self.forest()
        self.pairing()
        self.clinic()
        self.roles(team)
        self.summary.counts = self.counts
        return self.summary

    # --- rows -------------------------------------------------------------------------

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def org(
        self, kind: str, name: str, place: Row, parent: Row | None = None, **fields: object
    ) -> Row:
        self.bump(f"org_{kind}")
        return self.sink.row(
            Organisation,
            kind=kind,
            name=name,
            place_id=place.pk,
            parent_id=parent.pk if parent else None,
            **fields,
        )

    def seat(self, org: Row, member: Member, role: str) -> None:
        since = DUTY_START - timedelta(days=self.rng.randrange(1500))
        self.sink.row(
            Membership,
            organisation_id=org.pk,
            person_id=member.person.pk,
            role=role,
            start_date=since,
        )
        self.bump("memberships")

    def duty(self, member: Member | Row, place: Row, kind: str, note: str = "") -> None:
        person = member.person if isinstance(member, Member) else member
        start = DUTY_START + timedelta(days=self.rng.randrange(700))
        self.sink.row(
            Duty, person_id=person.pk, place_id=place.pk, kind=kind, start_date=start, note=note
        )
        self.bump(f"duty_{kind}")

    # --- choosing people ---------------------------------------------------------------

    def pick(
        self,
        people: list[Member],
        lo: int = 18,
        hi: int = 75,
        prefer_party: float = 0.0,
        exclude: set[int] | None = None,
    ) -> Member | None:
        """A random resident aged lo–hi, a party member with probability `prefer_party`."""
        exclude = exclude or set()
        fits = [m for m in people if lo <= m.age <= hi and m.person.pk not in exclude]
        if not fits:
            fits = [m for m in people if m.adult and m.person.pk not in exclude]
        if not fits:
            return None
        party = [m for m in fits if m.party]
        if party and self.rng.random() < prefer_party:
            return self.rng.choice(party)
        return self.rng.choice(fits)

    def choose_party_members(self, community: Community) -> None:
        """About 6% of adults, more often men and people over 40, as in rural Jiangxi."""
        for m in community.residents:
            if not m.adult:
                continue
            rate = 0.08 if m.person.sex == Sex.MALE else 0.04
            if m.age >= 40:
                rate *= 1.4
            m.party = self.rng.random() < rate

    # --- organisations ------------------------------------------------------------------

    def community_orgs(self, community: Community, committee: Row) -> None:
        place = community.place
        branch = self.org(OrgKind.PARTY_BRANCH, f"{place.name}党支部", place, parent=committee)
        self.branch_of[place.pk] = branch
        taken: set[int] = set()
        for role in (
            MemberRole.SECRETARY,
            MemberRole.DEPUTY_SECRETARY,
            MemberRole.MEMBER,
            MemberRole.MEMBER,
            MemberRole.MEMBER,
        ):
            who = self.pick(community.residents, 30, 62, prefer_party=1.0, exclude=taken)
            if who is None:
                break
            who.party = True
            taken.add(who.person.pk)
            self.seat(branch, who, role)
        if community.plan.urban:
            self.partners(community)

    def partners(self, community: Community) -> None:
        """Co-building units, shops, and the businesses of a 睦邻中心."""
        place = community.place
        for name in self.rng.sample(names.CO_BUILDING_UNITS, self.rng.randint(2, 4)):
            self.org(OrgKind.CO_BUILDING_UNIT, name, place)
        for station in community.stations:
            is_centre = station.attributes.get("type") == "neighbourhood_centre"
            count = self.rng.randint(15, 20) if is_centre else self.rng.randint(3, 8)
            target = station if is_centre else place
            shops = {
                f"{self.rng.choice(names.SHOP_OWNERS)}{self.rng.choice(names.SHOP_KINDS)}"
                for _ in range(count)
            }
            for shop in sorted(shops):
                self.org(OrgKind.BUSINESS, shop, target)

    def compound_orgs(self, community: Community, compound: Compound) -> None:
        """Party branch in every compound; an owner committee or a property-management
        committee; the property model; building and unit heads."""
        place, plan = compound.place, compound.plan
        residents = compound.residents
        branch = self.org(
            OrgKind.PARTY_BRANCH,
            f"{place.name}党支部",
            place,
            parent=self.branch_of[community.place.pk],
        )
        secretary = self.pick(residents, 30, 70, prefer_party=1.0)
        if secretary is not None:
            secretary.party = True
            self.seat(branch, secretary, MemberRole.SECRETARY)
        if plan.committee == "owner":
            self.owner_committee(compound, residents)
        else:
            self.pmc(community, compound, residents)
        self.profile(compound)
        for building in compound.buildings:
            head = self.pick(building.residents, 25, 72, prefer_party=0.4)
            if head is not None:
                self.duty(head, building.place, DutyKind.BUILDING_HEAD)
            for unit in building.units:
                head = self.pick(unit.residents, 22, 75, prefer_party=0.2)
                if head is not None:
                    self.duty(head, unit.place, DutyKind.UNIT_HEAD)

    def owner_committee(self, compound: Compound, residents: list[Member]) -> None:
        """5–9 seats, exactly `party_seats` of them held by party members."""
        plan = compound.plan
        committee = self.org(
            OrgKind.OWNER_COMMITTEE,
            f"{compound.place.name}业主委员会",
            compound.place,
            founded_on=self._founded(),
        )
        adults = [m for m in residents if 25 <= m.age <= 75]
        self.rng.shuffle(adults)
        size = min(len(adults), self.rng.choice((5, 5, 7, 7, 9)))
        party = [m for m in adults if m.party][: plan.party_seats]
        for m in adults:  # too few party members among the owners: some owners join
            if len(party) >= min(plan.party_seats, size):
                break
            if not m.party:
                m.party = True
                party.append(m)
        others = [m for m in adults if not m.party][: max(0, size - len(party))]
        roles = [MemberRole.CHAIR, MemberRole.DEPUTY_CHAIR] + [MemberRole.MEMBER] * 7
        for member, role in zip(party + others, roles, strict=False):
            self.seat(committee, member, role)
        self.bump("oc_party_members", len(party))

    def pmc(self, community: Community, compound: Compound, residents: list[Member]) -> None:
        """物管会: chaired by the community's party secretary or a resident party member."""
        committee = self.org(
            OrgKind.PMC,
            f"{compound.place.name}物业管理委员会",
            compound.place,
            founded_on=self._founded(),
        )
        taken: set[int] = set()
        chair = self.pick(residents, 30, 70, prefer_party=0.9)
        for role in (MemberRole.CHAIR, *[MemberRole.MEMBER] * self.rng.randint(4, 6)):
            who = chair if role == MemberRole.CHAIR else self.pick(residents, 25, 75, exclude=taken)
            if who is None:
                break
            taken.add(who.person.pk)
            self.seat(committee, who, role)

    def profile(self, compound: Compound) -> None:
        column = 0 if compound.plan.committee == "owner" else 1
        models = list(PROPERTY_SHARES)
        model = self.rng.choices(models, [w[column] for w in PROPERTY_SHARES.values()])[0]
        company = None
        if model in (PropertyModel.COMPANY, PropertyModel.BUNDLED) and self.ctx.companies:
            company = self.rng.choice(self.ctx.companies)
        households = len({m.household_id for m in compound.residents})
        self.sink.row(
            CompoundProfile,
            compound_id=compound.place.pk,
            property_model=model,
            property_company_id=company.pk if company else None,
            built_year=self.rng.randint(1988, 2020),
            # some flats stand empty or are let out, so more were planned than are registered
            households_planned=households + self.rng.randint(0, households // 5 + 1),
        )
        self.bump(f"property_{model}")

    def _founded(self) -> date:
        return date(2016, 1, 1) + timedelta(days=self.rng.randrange(3000))

    # --- duties -------------------------------------------------------------------------

    def grid_workers(self, community: Community) -> None:
        for grid in community.grids:
            worker = self.pick(grid.residents, 25, 50) or self.pick(community.residents, 25, 50)
            if worker is None:
                continue
            self.duty(worker, grid.place, DutyKind.GRID_WORKER)
            self.summary.grids.append((grid.place.pk, grid.place.name, label(worker)))

    def baolian(self) -> None:
        """包联: party members answer for households of their own community. The 周五入户 town
        (德兴市泗洲镇's figures) has exactly 66 such members with 320+ households; elsewhere
        70–90% of a community's households are covered where it has enough party members, and
        none where it has none, so coverage reports have gaps to show."""
        if self.state.plan.p2:
            self._baolian_p2()
            return
        for community in self.state.communities:
            members = [
                m
                for m in community.residents
                if m.party and 22 <= m.age <= 72 and self.rng.random() < 0.8
            ]
            households = [h for h, _ in community.households]
            target = min(round(len(households) * self.rng.uniform(0.7, 0.9)), 15 * len(members))
            quotas = spread(target, len(members), self.rng, cap=15)
            self._assign(members, quotas, {community.place.pk: households})

    def _baolian_p2(self) -> None:
        members_wanted, households_wanted = P2_BAOLIAN
        by_community = {c.place.pk: [h for h, _ in c.households] for c in self.state.communities}
        adults = [m for m in self.state.residents if 22 <= m.age <= 72]
        party = [m for m in adults if m.party]
        self.rng.shuffle(party)
        for m in adults:  # a small town may need more party members to reach 66
            if len(party) >= members_wanted:
                break
            if not m.party:
                m.party = True
                party.append(m)
        members = party[:members_wanted]
        quotas = spread(households_wanted, len(members), self.rng, minimum=4, cap=6)
        self._assign(members, quotas, by_community)

    def _assign(
        self, members: list[Member], quotas: list[int], by_community: dict[int, list[Row]]
    ) -> None:
        """Each member takes `quota` uncovered households, from their own community first."""
        community_of = {h.pk: cid for cid, hs in by_community.items() for h in hs}
        names_of = {c.place.pk: c.place.name for c in self.state.communities}
        open_by_community = {cid: self.rng.sample(hs, len(hs)) for cid, hs in by_community.items()}
        for member, quota in zip(members, quotas, strict=True):
            own = community_of.get(member.household_id)
            own_pool = open_by_community.get(own, []) if own is not None else []
            pools = [own_pool, *open_by_community.values()]
            for _ in range(quota):
                pool = next((p for p in pools if p), None)
                if pool is None:
                    return
                self.duty(member, pool.pop(), DutyKind.BAOLIAN, note="周五入户")
            if len(self.summary.party) < 3 and own is not None:
                self.summary.party.append((label(member), (own, names_of[own])))

    def forest(self) -> None:
        """林长制: a county, a town and one or two village chiefs and 2–4 rangers per zone."""
        villagers = [m for c in self.state.communities if not c.plan.urban for m in c.residents]
        villagers = villagers or self.state.residents
        for n, zone in enumerate(self.state.forest_zones):
            leader = self.ctx.leaders[n % len(self.ctx.leaders)]
            self.duty(leader, zone, DutyKind.FOREST_CHIEF_COUNTY)
            chief = self.pick(self.state.residents, 35, 58, prefer_party=1.0)
            rangers = [self.pick(villagers, 35, 65) for _ in range(self.rng.randint(2, 4))]
            if chief is None or rangers[0] is None:
                continue
            self.duty(chief, zone, DutyKind.FOREST_CHIEF_TOWN)
            for _ in range(self.rng.randint(1, 2)):
                village_chief = self.pick(villagers, 40, 65, prefer_party=0.8)
                if village_chief is not None:
                    self.duty(village_chief, zone, DutyKind.FOREST_CHIEF_VILLAGE)
            for ranger in {r.person.pk: r for r in rangers if r is not None}.values():
                self.duty(ranger, zone, DutyKind.RANGER)
            self.summary.forest.append(((zone.pk, zone.name), label(chief), label(rangers[0])))

    def pairing(self) -> None:
        """1+1 结对: a teacher or volunteer for most households with left-behind children."""
        for community in self.state.communities:
            grown = [m for m in community.residents if 25 <= m.age <= 55]
            for household, members in community.households:
                if not any("left_behind_child" in m.tags for m in members):
                    continue
                if grown and self.rng.random() < 0.6:
                    self.duty(self.rng.choice(grown), household, DutyKind.PAIRING, note="教师结对")

    def clinic(self) -> None:
        clinic = self.state.clinic
        if clinic is not None:
            self.org(OrgKind.CLINIC, clinic.name, clinic)
            self.summary.clinic = (clinic.pk, clinic.name)
        for community in self.state.communities:
            self.summary.communities.append((community.place.pk, community.place.name))

    # --- roles and tags ---------------------------------------------------------------

    def roles(self, team: Row) -> None:
        """PartyMember, Volunteer, care-tag and skill rows for everyone chosen above."""
        tag_rows = Person.care_tags.through
        for community in self.state.communities:
            branch = self.branch_of[community.place.pk]
            group = 0
            for m in community.residents:
                for tag in sorted(m.tags):
                    self.sink.row(
                        tag_rows, id=None, person_id=m.person.pk, caretag_id=self.ctx.tag_ids[tag]
                    )
                self.bump("care_tags", len(m.tags))
                if m.party:
                    group += 1
                    self.party_member(m, community, branch, group)
                if m.adult and m.age <= 72 and self.rng.random() < (0.05 if m.age >= 60 else 0.03):
                    self.volunteer(m, community, team)

    def party_member(self, m: Member, community: Community, branch: Row, n: int) -> None:
        rng = self.rng
        retired = m.age >= 60
        employment = (
            PartyEmployment.RETIRED
            if retired
            else (
                PartyEmployment.FLOATING
                if not m.urban and rng.random() < 0.12
                else PartyEmployment.IN_SERVICE
            )
        )
        workplace = ""
        if employment == PartyEmployment.IN_SERVICE:
            workplace = (
                rng.choice(names.WORKPLACES)
                if m.urban
                else rng.choice(("务农", "个体经营", "村委会", *names.WORKPLACES[:4]))
            )
        joined = m.person.birth_date + timedelta(days=365 * rng.randint(19, max(20, m.age - 1)))
        self.sink.row(
            PartyMember,
            person_id=m.person.pk,
            branch_id=branch.pk,
            group_name=f"第{cn_number((n - 1) // 8 + 1)}党小组",
            is_central_household=not m.urban and rng.random() < 0.15,
            employment=employment,
            workplace=workplace,
            joined_on=min(joined, REFERENCE_DATE - timedelta(days=30)),
            report_community_id=community.place.pk if workplace.startswith("县") else None,
        )
        self.bump("party_members")

    def volunteer(self, m: Member, community: Community, team: Row) -> None:
        rng = self.rng
        band = "young" if m.age < 35 else "middle" if m.age < 60 else "old"
        skills = rng.sample(SKILLS_BY_AGE[band], rng.randint(1, 3))
        certificates = []
        if rng.random() < 0.016:
            skills.append("social_work")
            certificates.append({"name": "持证社工", "number": f"SG{rng.randrange(10**8):08d}"})
        elif rng.random() < 0.04:
            kind, title = rng.choice(names.CERTIFICATES[1:])
            certificates.append(
                {"name": kind, "title": title, "number": f"{rng.randrange(10**10):010d}"}
            )
        volunteer = self.sink.row(
            Volunteer,
            person_id=m.person.pk,
            status=rng.choices(list(VolunteerStatus.values), (3, 90, 5, 2))[0],
            certificates=certificates,
            availability=rng.choice(AVAILABILITY),
            registered_on=DUTY_START - timedelta(days=rng.randrange(1500)),
            organisation_id=team.pk,
        )
        for code in sorted(set(skills)):
            self.sink.row(
                Volunteer.skills.through,
                id=None,
                volunteer_id=volunteer.pk,
                skill_id=self.ctx.skill_ids[code],
            )
        if certificates and certificates[0]["name"] == "持证社工":
            self.bump("social_workers")
        self.bump("volunteers")
        if len(self.summary.volunteers) < 3 and volunteer.status == VolunteerStatus.ACTIVE:
            self.summary.volunteers.append((label(m), (community.place.pk, community.place.name)))


def label(member: Member) -> tuple[int, str]:
    return member.person.pk, member.person.name
