"""`gongzhi ecg screen FILE [--json]`: run the automatic screening on any supported file."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ecg.readers import EcgReadError, read_path
from apps.ecg.screening import screen


class Command(BaseCommand):
    help = "心电工具：screen FILE 对文件做自动筛查（WFDB .hea、DICOM、HL7 aECG XML、CSV）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        screen_parser = sub.add_parser("screen", help="自动筛查一个心电文件")
        screen_parser.add_argument("file")
        screen_parser.add_argument("--json", action="store_true", help="输出 JSON")
        screen_parser.add_argument("--fs", type=float, help="CSV 的采样率（文件未注明时）")
        screen_parser.add_argument("--units", default="", help="CSV 的单位 mV/uV")
        screen_parser.add_argument("--sex", default="", choices=["", "M", "F"])
        screen_parser.add_argument("--age", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sig = read_path(options["file"], fs=options.get("fs"), units=options["units"])
        except EcgReadError as exc:
            raise CommandError(str(exc)) from exc
        result = screen(sig, sex=options["sex"], age=options.get("age"))
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self._print(sig, result)

    def _print(self, sig: Any, result: dict[str, Any]) -> None:
        out = self.stdout.write
        m = result["measurements"]
        leads = " ".join(sig.leads)
        out(f"文件：{sig.source_format}，{sig.fs:g} Hz，{sig.duration:.1f} 秒，导联 {leads}")
        for note in sig.notes:
            out(f"  说明：{note}")
        bad = [q for q in result["quality"] if q["problems"]]
        out(
            "信号质量："
            + (
                "良好"
                if not bad
                else "；".join(f"{q['lead']} {'、'.join(q['labels'])}" for q in bad)
            )
        )
        out(f"心搏：{len(result['beats'])} 个，位置（采样点）：{result['beats']}")
        labels = {
            "heart_rate": "心率(次/分)",
            "rr_mean_ms": "RR平均(ms)",
            "rr_sd_ms": "RR标准差(ms)",
            "rr_min_ms": "RR最短(ms)",
            "rr_max_ms": "RR最长(ms)",
            "qrs_ms": "QRS(ms)",
            "pr_ms": "PR(ms)",
            "qt_ms": "QT(ms)",
            "qtc_ms": "QTc Bazett(ms)",
            "qtc_fridericia_ms": "QTc Fridericia(ms)",
            "axis_deg": "电轴(°)",
        }
        for key, label in labels.items():
            if key in m:
                out(f"  {label}：{m[key] if m[key] is not None else '—'}")
        if m.get("longest_rr"):
            lr = m["longest_rr"]
            out(f"  最长RR：{lr['ms']} ms（{lr['start_s']}–{lr['end_s']} 秒）")
        if m.get("st_j60_mv"):
            out(
                "  ST(J+60ms, mV)：" + "，".join(f"{k} {v:+.2f}" for k, v in m["st_j60_mv"].items())
            )
        if not result["flags"]:
            out("提示：无")
        for flag in result["flags"]:
            kind = "疑似危急值" if flag["critical"] else "预警"
            leads = f"，导联 {'、'.join(flag['leads'])}" if flag["leads"] else ""
            out(
                f"[{kind}] {flag['label']}：{flag['evidence']}"
                f"（{flag['start_s']}–{flag['end_s']} 秒{leads}）"
            )
        out(f"耗时 {result['elapsed_ms']} ms。机器筛查仅供参考，诊断以医师报告为准。")
