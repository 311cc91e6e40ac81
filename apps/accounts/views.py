from django.contrib.auth import views as auth_views

from .actions import client_ip, do_record_login
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        do_record_login(user=form.get_user(), ip=client_ip(self.request))
        return response


class LogoutView(auth_views.LogoutView):
    pass
