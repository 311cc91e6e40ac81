"""The API keys page: administrators issue and revoke keys for places in their scope."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.core.refusals import run_action
from apps.places.models import Place

from .apikeys import (
    DEFAULT_SERVICE_ROLE,
    SERVICE_ROLES,
    api_keys_visible_to,
    do_create_api_key,
    do_revoke_api_key,
)
from .permissions import Cap, require
from .scoping import get_in_scope


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    scope_code = forms.CharField(label="管辖范围（地点编码）", max_length=40)
    role = forms.ChoiceField(label="角色", choices=SERVICE_ROLES, initial=DEFAULT_SERVICE_ROLE)

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_scope_code(self) -> Place:
        code = self.cleaned_data["scope_code"].strip()
        place = Place.objects.visible_to(self.user).filter(code=code).first()
        if place is None:
            raise ValidationError("编码不存在或不在您的管辖范围内")
        return place


@login_required
def apikey_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Cap.ACCOUNTS_ISSUE_API_KEYS)
    form = ApiKeyForm(request.POST or None, user=request.user)

    def page() -> HttpResponse:
        keys = api_keys_visible_to(request.user)
        return render(request, "accounts/apikeys.html", {"form": form, "keys": keys})

    if request.method != "POST" or not form.is_valid():
        return page()

    def done(created: tuple[Any, str]) -> HttpResponse:
        key, raw = created
        # Shown on this response only: never stored, never redirected through a session.
        response = render(request, "accounts/apikeys_created.html", {"key": key, "raw": raw})
        response["Cache-Control"] = "no-store"
        return response

    return run_action(
        request,
        lambda: do_create_api_key(
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope_code"],
            role=form.cleaned_data["role"],
            actor=request.user,
        ),
        done=done,
        refused=page,
        form=form,
    )


@login_required
@require_POST
def apikey_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Cap.ACCOUNTS_ISSUE_API_KEYS)
    key = get_in_scope(api_keys_visible_to(request.user), pk=pk)
    do_revoke_api_key(key, actor=request.user)
    messages.success(request, f"已吊销密钥“{key.name}”")
    return redirect("accounts:apikeys")
