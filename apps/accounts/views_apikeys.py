"""The API keys page: administrators issue and revoke keys for places in their scope."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.places.models import Place

from .apikeys import (
    DEFAULT_SERVICE_ROLE,
    SERVICE_ROLES,
    api_keys_visible_to,
    do_create_api_key,
    do_revoke_api_key,
    may_issue,
)
from .scoping import get_in_scope, scope_q


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    scope_code = forms.CharField(label="管辖范围（地点编码）", max_length=40)
    role = forms.ChoiceField(label="角色", choices=SERVICE_ROLES, initial=DEFAULT_SERVICE_ROLE)

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_scope_code(self) -> Place:
        code = self.cleaned_data["scope_code"].strip()
        place = Place.objects.filter(scope_q(self.user, ""), code=code).first()
        if place is None:
            raise ValidationError("编码不存在或不在您的管辖范围内")
        return place


def _require_issuer(request: HttpRequest) -> None:
    if not may_issue(request.user):
        raise PermissionDenied("只有系统管理员可以管理接口密钥")


@login_required
def apikey_list(request: HttpRequest) -> HttpResponse:
    _require_issuer(request)
    form = ApiKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            key, raw = do_create_api_key(
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope_code"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Shown on this response only: never stored, never redirected through a session.
            response = render(request, "accounts/apikeys_created.html", {"key": key, "raw": raw})
            response["Cache-Control"] = "no-store"
            return response
    keys = api_keys_visible_to(request.user)
    return render(request, "accounts/apikeys.html", {"form": form, "keys": keys})


@login_required
@require_POST
def apikey_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_issuer(request)
    key = get_in_scope(api_keys_visible_to(request.user), pk=pk)
    do_revoke_api_key(key, actor=request.user)
    messages.success(request, f"已吊销密钥“{key.name}”")
    return redirect("accounts:apikeys")
