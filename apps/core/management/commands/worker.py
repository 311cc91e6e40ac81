import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.tasks import Worker, periodic_jobs, registered


class Command(BaseCommand):
    help = "后台任务进程（Redis 模式）：可在多台机器上启动任意多个"

    def handle(self, *args, **options):
        if settings.TASKS_BACKEND != "redis":
            raise CommandError(
                "gongzhi worker 需要 GONGZHI_TASKS=redis（内嵌模式下任务在 serve 进程中运行）"
            )
        worker = Worker()
        signal.signal(signal.SIGTERM, lambda *_: worker.stopping.set())
        signal.signal(signal.SIGINT, lambda *_: worker.stopping.set())
        self.stdout.write(
            f"worker {worker.name}: {len(registered())} 个任务, {len(periodic_jobs())} 个定时任务"
        )
        worker.run_forever()
