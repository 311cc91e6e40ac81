"""The one form → action → refusal flow: a refused action re-renders the page with the reason in
Chinese and what the user typed, answered 422; a success goes where the view says."""

import pytest
from django import forms
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.test import RequestFactory

from apps.core.refusals import Refusal, run_action, run_form

PAGE = engines["django"].from_string(
    "{% for m in messages %}<p class='msg'>{{ m }}</p>{% endfor %}<form>{{ form.note }}</form>"
)


class NoteForm(forms.Form):
    note = forms.CharField()


def _request():
    request = RequestFactory().post("/notes/", {"note": "三号楼漏水，已联系物业"})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def _post(action):
    request = _request()
    form = NoteForm(request.POST)
    assert form.is_valid()
    return run_action(
        request,
        action,
        done=lambda note: redirect(f"/notes/{note}/"),
        refused=lambda: HttpResponse(PAGE.render({"form": form}, request)),
    )


def _refuse(exc):
    def action():
        raise exc

    return action


def test_it_goes_where_the_view_says_when_the_action_succeeds():
    response = _post(lambda: 7)
    assert response.status_code == 302 and response["Location"] == "/notes/7/"


def test_it_rerenders_a_validation_refusal_with_422_the_reason_and_the_input():
    response = _post(_refuse(ValidationError(["该户本周已走访", "请明日再试"])))
    page = response.content.decode()
    assert response.status_code == 422
    assert "<p class='msg'>该户本周已走访；请明日再试</p>" in page
    assert 'value="三号楼漏水，已联系物业"' in page


def test_it_rerenders_a_permission_refusal_with_422_and_the_reason():
    response = _post(_refuse(PermissionDenied("无权登记该小区的事项")))
    page = response.content.decode()
    assert response.status_code == 422
    assert "无权登记该小区的事项" in page
    assert 'value="三号楼漏水，已联系物业"' in page


def test_it_keeps_a_redirect_back_for_a_button_with_nothing_typed():
    request = _request()
    response = run_action(
        request,
        _refuse(ValidationError("会议已结束，不能再修改")),
        done=lambda _: redirect("/done/"),
        refused=lambda: redirect("/meetings/3/"),
    )
    assert response.status_code == 302 and response["Location"] == "/meetings/3/"
    assert [str(m) for m in request._messages] == ["会议已结束，不能再修改"]


def test_it_lets_other_errors_through():
    with pytest.raises(KeyError):
        _post(_refuse(KeyError("bug")))


def test_it_shows_field_errors_beside_the_fields_and_the_rest_above_the_form():
    request = _request()
    form = NoteForm(request.POST)
    assert form.is_valid()
    response = run_action(
        request,
        _refuse(ValidationError({"text": "内容不能包含身份证号", "place": "不在您的管辖范围"})),
        done=lambda _: redirect("/done/"),
        refused=lambda: HttpResponse(PAGE.render({"form": form}, request)),
        form=form,
        renamed={"text": "note"},
    )
    assert response.status_code == 422
    assert form.errors == {"note": ["内容不能包含身份证号"], "__all__": ["不在您的管辖范围"]}
    assert list(request._messages) == []


def test_it_refuses_an_apps_own_refusal_like_a_validation_error():
    class EngineError(Refusal):
        def __init__(self, message):
            super().__init__(message)
            self.message = message

    response = _post(_refuse(EngineError("该事项已办结，不能再转派")))
    assert response.status_code == 422
    assert "该事项已办结，不能再转派" in response.content.decode()


def _form_post(data, action, **kw):
    request = RequestFactory().post("/notes/", data)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    form = NoteForm(request.POST)
    ran = []

    def act():
        ran.append(True)
        return action()

    response = run_form(
        request,
        form,
        act,
        done=lambda note: redirect(f"/notes/{note}/"),
        page=lambda: HttpResponse(PAGE.render({"form": form}, request)),
        **kw,
    )
    return response, form, ran


def test_run_form_shows_an_invalid_form_again_with_422_and_runs_nothing():
    response, form, ran = _form_post({"note": ""}, lambda: 7)
    assert response.status_code == 422 and not ran and "note" in form.errors


def test_run_form_runs_a_valid_form_and_goes_where_the_view_says():
    response, _, ran = _form_post({"note": "三号楼漏水"}, lambda: 7)
    assert ran and response.status_code == 302 and response["Location"] == "/notes/7/"


def test_run_form_shows_a_refusal_above_the_page_with_what_was_typed():
    refusal = _refuse(ValidationError({"body": "该户本周已走访"}))
    response, form, _ = _form_post({"note": "三号楼漏水"}, refusal)
    page = response.content.decode()
    assert response.status_code == 422 and not form.errors
    assert "<p class='msg'>该户本周已走访</p>" in page and 'value="三号楼漏水"' in page


def test_run_form_puts_field_errors_beside_the_fields_when_asked():
    refusal = _refuse(ValidationError({"body": "该户本周已走访"}))
    response, form, _ = _form_post({"note": "三号楼漏水"}, refusal, beside_fields={"body": "note"})
    assert response.status_code == 422 and form.errors["note"] == ["该户本周已走访"]
    assert "class='msg'" not in response.content.decode()
