from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from apps.accounts.forms import AdminLoginForm
from apps.accounts.views import AdminLoginView
from apps.core import media

from .api import api
from .api import docs_page as api_docs_page

admin.site.site_header = "共治 Gongzhi 管理后台"
admin.site.site_title = "共治"
admin.site.login_form = AdminLoginForm  # one lockout for every way in


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(static("gongzhi/favicon.ico"))


urlpatterns = [
    # The API first: its requests are the most frequent (phones, other systems) and no page's
    # address starts with api/v1/, so they need not be tried against every app's patterns.
    path("api/v1/docs", api_docs_page, name="api-docs"),
    path("api/v1/", api.urls),
    path("", include("apps.places.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("people/", include("apps.people.urls")),
    path("orgs/", include("apps.orgs.urls")),
    path("duties/", include("apps.duties.urls")),
    path("ledgers/", include("apps.ledgers.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("cases/", include("apps.cases.urls")),
    path("open311/v2/", include("apps.open311.urls")),
    path("portal/", include("apps.portal.urls")),
    path("ecg/", include("apps.ecg.urls")),
    path("visits/", include("apps.visits.urls")),
    path("services/", include("apps.services.urls")),
    path("services/", include("apps.volunteers.urls")),
    path("services/dual/", include("apps.dual.urls")),
    path("stats/", include("apps.stats.urls")),
    path("meetings/", include("apps.meetings.urls")),
    path("care/", include("apps.care.urls")),
    path("mediation/", include("apps.mediation.urls")),
    path("errands/", include("apps.errands.urls")),
    path("brands/", include("apps.brands.urls")),
    path("activities/", include("apps.activities.urls")),
    path("reports/", include("apps.reports.urls")),
    path("forest/", include("apps.forestry.urls")),
    path("projects/", include("apps.projects.urls")),
    path("collective/", include("apps.collective.urls")),
    # the installable field app: /sw.js, /manifest.webmanifest, /outbox/ (apps/outbox)
    path("", include("apps.outbox.urls")),
    path("demo/", include("apps.demo.urls")),
    # Browsers and bookmarks ask for /favicon.ico whatever the page links: the same icon.
    path("favicon.ico", favicon),
    # the admin's login page with the same lockout and second factor (apps.accounts.views)
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    # uploaded photos, through each record's scope rule (apps/core/media.py)
    path("media/<path:name>", media.serve, name="media"),
]
