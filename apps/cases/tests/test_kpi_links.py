"""Every figure on the KPI page links to the case list showing exactly the cases behind it."""

import re
from html import unescape

import pytest

from apps.cases.filters import CaseFilter
from apps.cases.models import Case
from apps.stats.rollups import rebuild

from .test_case_kpis import scramble

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a (?:class="stat" )?(?:id="[^"]*" )?href="(/cases/\?[^"]+)">([^<]+)</a>')


def figures(html: str) -> list[tuple[str, int]]:
    """(link, figure) of every numeric link on the KPI page."""
    return [
        (unescape(href), int(text)) for href, text in LINK.findall(html) if text.strip().isdigit()
    ]


def listed(client, href: str) -> int:
    return client.get(href).context["page"].paginator.count


@pytest.mark.parametrize("persona", ["town_staff", "community_a"])
def test_it_links_each_figure_to_exactly_its_cases(client, world, persona):
    scramble(world, n=40)
    Case.objects.filter(pk=Case.objects.order_by("pk").first().pk).update(status="merged")
    rebuild()  # the rows were written straight: roll them up, as `gongzhi stats rebuild` does
    client.force_login(world.user(persona))
    html = client.get("/cases/kpis/", {"date_from": "2000-01-01"}).content.decode()
    found = figures(html)
    hrefs = {h for h, _ in found}
    assert len(found) >= 20
    assert any("measure=responded_in_time" in h for h in hrefs)
    assert any("measure=due_to_respond" in h for h in hrefs)
    assert any("measure=overdue" in h for h in hrefs)
    assert any("category=" in h for h in hrefs) and any("source=" in h for h in hrefs)
    assert any("status=" in h for h in hrefs)
    for href, figure in found:
        assert listed(client, href) == figure, href


def test_it_shows_the_figures_of_the_kpi_api_too(client, world):
    scramble(world, n=15)
    client.force_login(world.user("town_staff"))
    body = client.get("/api/v1/cases/kpis", {"date_from": "2000-01-01"}).json()
    for measure in ("responded_in_time", "due_to_respond", "resolved", "satisfied", "rated"):
        params = {"created_from": "2000-01-01", "measure": measure, "page_size": 1}
        listed_api = client.get("/api/v1/cases/", params).json()["count"]
        assert listed_api == body[measure], measure


def test_it_rejects_an_unknown_measure(world):
    form = CaseFilter({"measure": "happiness"}, user=world.user("town_staff"))
    assert not form.is_valid()
    assert form.errors["measure"] == ["指标口径不在可选范围内"]
