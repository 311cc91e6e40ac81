from apps.core.models import AuditEvent
from apps.core.testing.factories import OrganisationFactory
from apps.orgs.models import Organisation

API = "/api/v1/orgs/"


class TestOrganisationApi:
    def test_it_lists_and_filters(self, client_as, world):
        OrganisationFactory(kind="party_branch", name="红门社区党支部", place=world.community_a)
        OrganisationFactory(kind="business", name="红门超市", place=world.grid_a)
        body = client_as("community_a").get(API, {"kind": "business"}).json()
        assert [o["name"] for o in body["items"]] == ["红门超市"]

    def test_it_answers_422_for_bad_filters(self, client_as, world):
        response = client_as("community_a").get(API, {"kind": "club"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "未知的组织类型"

    def test_it_creates_an_organisation_with_audit(self, client_as, world):
        parent = OrganisationFactory(
            kind="party_committee", name="红门社区党委", place=world.community_a
        )
        response = client_as("community_a").post(
            API,
            {
                "kind": "party_branch",
                "name": "幸福小区党支部",
                "place": world.compound_a.pk,
                "parent": parent.pk,
                "contact_phone": "13800001111",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["parent"], body["contact_phone_masked"]) == (parent.pk, "138****1111")
        assert (
            AuditEvent.objects.filter(
                verb="create", object_type="orgs.organisation", object_id=str(body["id"])
            ).count()
            == 1
        )

    def test_it_answers_422_in_chinese(self, client_as, world):
        OrganisationFactory(kind="owner_committee", name="幸福小区业委会", place=world.compound_a)
        response = client_as("community_a").post(
            API,
            {
                "kind": "owner_committee",
                "name": "幸福小区业委会",
                "place": world.compound_a.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "幸福小区已有同名的业主委员会"
        business = OrganisationFactory(kind="business", name="超市", place=world.grid_a)
        response = client_as("community_a").post(
            API,
            {
                "kind": "party_branch",
                "name": "支部",
                "place": world.grid_a.pk,
                "parent": business.pk,
            },
            content_type="application/json",
        )
        assert response.json()["detail"][0]["msg"] == "党组织的上级必须是党组织"

    def test_it_answers_403_to_a_grid_worker(self, client_as, world):
        response = client_as("grid_worker_a").post(
            API,
            {
                "kind": "business",
                "name": "小卖部",
                "place": world.grid_a.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 403
        assert Organisation.objects.count() == 0

    def test_it_reads_detail_with_children_and_members(self, client_as, world):
        parent = OrganisationFactory(kind="party_committee", place=world.community_a)
        child = OrganisationFactory(kind="party_branch", place=world.compound_a, parent=parent)
        body = client_as("community_a").get(f"{API}{parent.pk}").json()
        assert (body["children"], body["members"]) == ([child.pk], [])

    def test_it_reports_compound_coverage(self, client_as, world):
        OrganisationFactory(kind="pmc", name="物管会", place=world.compound_a)
        body = (
            client_as("town_staff")
            .get(f"{API}compounds/coverage", {"place": world.community_a.pk})
            .json()
        )
        assert (body["compounds"], body["with_pmc"], body["shares"]["with_pmc"]) == (1, 1, 100.0)
