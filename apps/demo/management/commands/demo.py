"""`gongzhi demo --size tiny|small|county|large --seed N`: load the demo county."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import User
from apps.demo import stages
from apps.demo.generator import DEMO_PASSWORD, SIZES, DemoRefused, generate, load_if_empty

LABELS = {
    "towns": "乡镇街道",
    "communities": "社区村",
    "grids": "网格",
    "compounds": "小区",
    "buildings": "楼栋",
    "units": "单元",
    "households": "户",
    "people": "居民",
    "party_members": "党员",
    "volunteers": "志愿者",
    "social_workers": "持证社工",
    "organisations": "组织",
    "owner_committees": "业委会",
    "pmcs": "物管会",
    "oc_party_members": "业委会中的党员",
    "building_heads": "楼栋长",
    "unit_heads": "单元长",
    "baolian": "包联户",
    "grid_workers": "网格员",
    "duties": "责任",
    "care_tags": "关爱标签",
    "users": "账号",
    "places": "地点",
    "memberships": "组织成员",
    "cases": "事项",
    "case_events": "办理记录",
    "case_revisits": "回访任务",
    "case_fallbacks": "改为撤销的事项",
    "ecg_exams": "心电检查",
    "ecg_released": "心电报告",
    "ecg_critical": "心电危急值",
}


class Command(BaseCommand):
    help = (
        "生成演示县（兴国县）：地点树、居民、党员、志愿者、组织、责任、各角色演示账号，"
        "以及近四个月的事项办理记录和心电检查"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(SIZES), default="county")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force",
            action="store_true",
            help="数据库非空时仍然写入（演示数据会与现有数据混在一起）",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="与 --if-empty 同用：先加载地点、居民和账号，其余历史数据交给后台任务加载"
            "（登录页显示进度）",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="只在数据库还没有地点时生成（gongzhi serve 首次启动用），并列出演示账号",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"]:
            self._load_if_empty(options["size"], options["seed"], options["background"])
            return
        self.stdout.write(f"生成演示县：规模 {options['size']}，种子 {options['seed']}")
        try:
            result = generate(
                options["size"], options["seed"], progress=self.stdout.write, force=options["force"]
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        counts = result["counts"]
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {result['seconds']} 秒。"))
        self.stdout.write("，".join(f"{LABELS.get(k, k)} {v:,}" for k, v in counts.items()))
        self.stdout.write(f"演示账号（密码均为 {result['password']}）：")
        for login in result["logins"]:
            self.stdout.write(
                f"  {login['username']:<14} {login['role_label']}（{login['scope']}）"
            )

    def _load_if_empty(self, size: str, seed: int, background: bool) -> None:
        loaded = load_if_empty(size, seed, stdout=self.stdout, background=background)  # type: ignore[arg-type]
        pending = stages.unfinished()
        if loaded is None and pending is not None and background:
            stages.resume()
            self.stdout.write(
                f"继续在后台加载演示县的历史数据（{pending.done}/{len(pending.steps)}）…"
            )
        elif loaded is not None and pending is None:
            self.stdout.write(self.style.SUCCESS("演示县已加载。"))
        elif loaded is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示县的地点、居民和账号已加载（{loaded['seconds']} 秒）；"
                    "事项等历史数据正在后台加载，进度见登录页。"
                )
            )
        first_per_role: dict[str, User] = {}
        for user in User.objects.select_related("scope").order_by("id"):
            first_per_role.setdefault(user.role, user)
        if not first_per_role:
            return
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in first_per_role.values():
            scope = user.scope.name if user.scope else "全部"
            self.stdout.write(f"  {user.username:<14} {user.get_role_display()}（{scope}）")
