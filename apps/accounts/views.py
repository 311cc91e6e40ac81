from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    """The login page; the lockout, and the audit of success and failure, live in the form
    (`LockoutMixin`), which /admin/login/ uses too."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
