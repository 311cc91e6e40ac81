"""Background work of the demo: the county's history after a first start (apps.demo.stages)."""

from apps.core.tasks import task

from . import stages


@task("demo.history")
def load_history(load_id: int) -> int:
    return stages.run_history(load_id).done
