"""Every link a persona's menu shows opens for that persona: the menu never offers a page that
answers 403 (the grid worker's 志愿者名册 did)."""

import re

import pytest

pytestmark = pytest.mark.django_db

PERSONAS = ["county_leader", "town_staff", "community_a", "grid_worker_a", "volunteer_a", "admin"]


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="nav">(.*?)</nav>', html, re.S)
    assert nav, "no menu"
    return sorted(set(re.findall(r'href="(/[^"#?]*)"', nav.group(1))))


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_every_link_of_the_menu(client_as, persona):
    client = client_as(persona)
    home = client.get("/", follow=True)
    links = menu_links(home.content.decode())
    assert links
    refused = {url: client.get(url, follow=True).status_code for url in links}
    assert {url: status for url, status in refused.items() if status != 200} == {}
