"""`gongzhi serve`: the embedded default in one command.

Migrates the database, loads the demo county when the database has no places yet (`--demo-size`,
through `gongzhi demo --if-empty`; `none` loads nothing), and serves the site (static files
included) with waitress, a production-grade pure-Python WSGI server.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "迁移数据库、（空库时）加载演示县、启动共治服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--demo-size",
            default="county",
            help="空库时加载的演示县规模（tiny/small/county/large；none 不加载）",
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if settings.GONGZHI_HTTPS:
            refuse_demo_over_https(options["demo_size"])
        elif options["demo_size"] != "none":
            # The demo app's own command (core stands below it and does not import it).
            # Only the places, people and accounts before the site answers; the history loads
            # through the task system meanwhile (progress on the login page).
            call_command(
                "demo",
                size=options["demo_size"],
                if_empty=True,
                background=True,
                stdout=self.stdout,
            )
        self._serve(options["host"], options["port"], options["threads"])

    def _serve(self, host: str, port: int, threads: int) -> None:
        from waitress import serve

        from apps.core.tasks import start_background
        from config.wsgi import application

        start_background()

        self.stdout.write(self.style.SUCCESS(f"共治已启动：http://{host}:{port}/  （Ctrl+C 停止）"))
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="gongzhi",
            max_request_body_size=max_body_size(),
            **proxy_options(),
        )


def refuse_demo_over_https(demo_size: str) -> None:
    """Production (GONGZHI_HTTPS=1) never loads the demo county and never starts while an
    account still has the demo password (the demo app's deploy check, run by its tag: core does
    not import the demo app)."""
    from django.core.checks import ERROR, run_checks

    if demo_size != "none":
        raise CommandError(
            "正式环境（GONGZHI_HTTPS=1）不加载演示数据：请用 gongzhi serve --demo-size none 启动"
        )
    errors = [
        e
        for e in run_checks(tags=["gongzhi_demo"], include_deployment_checks=True)
        if e.level >= ERROR
    ]
    if errors:
        raise CommandError("拒绝启动：" + "；".join(f"{e.msg}（{e.hint}）" for e in errors))


def max_body_size() -> int:
    """The largest body waitress takes in. Waitress reads a whole body (spooling it to disk)
    before Django sees the request, so UploadLimitMiddleware's 413 from the Content-Length came
    only after up to 1 GB (waitress's default) had been received; with this bound waitress
    answers 413 itself from the Content-Length, or once a chunked body passes it."""
    return max(settings.UPLOAD_MAX_BYTES, settings.LEDGER_UPLOAD_MAX_BYTES + 1024 * 1024)


def proxy_options() -> dict[str, bool]:
    """Behind a reverse proxy (GONGZHI_TRUSTED_PROXIES set), waitress must hand the
    X-Forwarded-* headers on: by default it deletes them, so Django would take every request
    for plain HTTP (a redirect loop with GONGZHI_HTTPS=1) and every client for the proxy.
    Which proxy to believe is then decided by apps.core.net (the client address) and
    SECURE_PROXY_SSL_HEADER (the scheme), so the port must be reachable by the proxy only."""
    if settings.GONGZHI_TRUSTED_PROXIES:
        return {"clear_untrusted_proxy_headers": False}
    return {}
