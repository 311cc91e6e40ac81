"""The first start in the background (issue 19): `gongzhi serve` loads the places, people and
accounts, answers, and the history follows through the task system one committed step at a
time, with its progress on the login page; a failed step leaves nothing and is resumed."""

import pytest

from apps.accounts.models import User
from apps.cases.models import Case
from apps.core.models import AuditEvent
from apps.core.tasks import capture_tasks, run_task
from apps.demo import stages
from apps.demo.generator import load_if_empty
from apps.demo.models import DemoLoad
from apps.ecg.models import Exam
from apps.places.models import Place
from apps.visits.models import VisitTask

pytestmark = pytest.mark.django_db


def _start() -> DemoLoad:
    with capture_tasks() as queued:
        loaded = load_if_empty("tiny", 2026, background=True)
    assert loaded is not None
    load = DemoLoad.objects.get()
    assert queued == [("demo.history", (load.pk,), {})]
    return load


def test_the_base_loads_first_and_the_login_page_shows_the_progress(client):
    load = _start()
    assert Place.objects.exists() and User.objects.filter(username="community01").exists()
    assert not Case.objects.exists() and not VisitTask.objects.exists()
    assert load.state == "loading" and load.done == 0
    assert load.steps[:2] == ["cases", "ecg"] and "app:visits" in load.steps
    assert load.steps[-2:] == ["rollups", "finish"]
    page = client.get("/accounts/login/").content.decode()
    assert "演示县正在后台加载历史数据（0/" in page and "事项办理记录" in page
    assert 'hx-get="/demo/progress/"' in page
    assert client.get("/demo/progress/?format=json").json()["state"] == "loading"


def test_the_history_then_loads_step_by_step_to_the_end(client):
    load = _start()
    run_task("demo.history", (load.pk,))
    load.refresh_from_db()
    assert load.state == "done" and load.done == len(load.steps) and load.finished_at
    assert set(load.seconds) == set(load.steps)
    assert Case.objects.count() == load.counts["cases"] > 0
    assert VisitTask.objects.count() > 0
    events = AuditEvent.objects.filter(object_type="demo")
    assert events.count() == 1 and events.get().changes["cases"] == load.counts["cases"]
    assert "演示县正在后台加载" not in client.get("/accounts/login/").content.decode()
    assert "已全部加载" in client.get("/demo/progress/").content.decode()
    run_task("demo.history", (load.pk,))  # a second worker finds nothing left to do
    assert Case.objects.count() == load.counts["cases"]


def test_a_failed_step_leaves_nothing_and_a_restart_resumes_there(client, monkeypatch):
    load = _start()
    real = dict(stages.history_steps())

    def broken(county, size, seed, say):
        real["ecg"](county, size, seed, say)
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(
        stages,
        "history_steps",
        lambda: [(n, broken if n == "ecg" else f) for n, f in real.items()],
    )
    with pytest.raises(RuntimeError):
        stages.run_history(load.pk)
    load.refresh_from_db()
    assert load.state == "failed" and load.done == 1 and "磁盘已满" in load.error
    assert Case.objects.exists()  # the committed first step stays
    cases_seconds = load.seconds["cases"]
    assert not Exam.objects.exists()  # the failed step left nothing
    assert "演示县历史数据加载失败" in client.get("/accounts/login/").content.decode()
    monkeypatch.setattr(stages, "history_steps", lambda: list(real.items()))
    with capture_tasks() as queued:
        assert stages.resume() is not None
    assert queued == [("demo.history", (load.pk,), {})]
    run_task("demo.history", (load.pk,))
    load.refresh_from_db()
    assert load.state == "done" and Exam.objects.exists()
    assert load.seconds["cases"] == cases_seconds  # resumed after it, not run again
    assert AuditEvent.objects.filter(object_type="demo").count() == 1
