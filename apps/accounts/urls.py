from django.urls import path

from . import views, views_apikeys, views_audit, views_security

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", views.two_factor_verify, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("audit/", views_audit.audit_home, name="audit"),
    path("security/", views_security.account_security, name="security"),
    path("audit/export/", views_audit.audit_export, name="audit_export"),
    path("apikeys/", views_apikeys.apikey_list, name="apikeys"),
    path("apikeys/<int:pk>/revoke/", views_apikeys.apikey_revoke, name="apikey_revoke"),
]
