"""`gongzhi ecg screen FILE [FILE ...] [--json]`: run the automatic screening on files.

With `--json`, one JSON object per file and per line, in the order given; a file that cannot
be read gives `{"file": …, "error": "<中文原因>"}` and the batch goes on. The exit status is
non-zero when at least one file could not be read."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ecg.readers import EcgReadError, read_path
from apps.ecg.screening import screen


class Command(BaseCommand):
    help = "心电工具：screen FILE 对文件做自动筛查（WFDB .hea、DICOM、HL7 aECG XML、CSV）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        screen_parser = sub.add_parser("screen", help="自动筛查一个或多个心电文件")
        screen_parser.add_argument("files", nargs="+", metavar="FILE")
        screen_parser.add_argument("--json", action="store_true", help="输出 JSON")
        screen_parser.add_argument("--fs", type=float, help="CSV 的采样率（文件未注明时）")
        screen_parser.add_argument("--units", default="", help="CSV 的单位 mV/uV")
        screen_parser.add_argument("--sex", default="", choices=["", "M", "F"])
        screen_parser.add_argument("--age", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["files"]:
            try:
                sig = read_path(path, fs=options.get("fs"), units=options["units"])
            except EcgReadError as exc:
                if len(options["files"]) == 1 and not options["json"]:
                    raise CommandError(str(exc)) from exc
                failed += 1
                if options["json"]:
                    line = {"file": path, "error": str(exc)}
                    self.stdout.write(json.dumps(line, ensure_ascii=False))
                else:
                    self.stderr.write(f"{path}：无法读取：{exc}")
                continue
            result = screen(sig, sex=options["sex"], age=options.get("age"))
            if options["json"]:
                line = {"file": path, **result}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                if len(options["files"]) > 1:
                    self.stdout.write(f"== {path}")
                self._print(sig, result)
        if failed:
            raise CommandError(f"{failed} 个文件无法读取")

    def _print(self, sig: Any, result: dict[str, Any]) -> None:
        out = self.stdout.write
        m = result["measurements"]
        leads = " ".join(sig.leads)
        out(f"文件：{sig.source_format}，{sig.fs:g} Hz，{sig.duration:.1f} 秒，导联 {leads}")
        for note in sig.notes:
            out(f"  说明：{note}")
        for span in result.get("excluded", []):
            out(f"  已排除（{span['label']}）：{span['start_s']}–{span['end_s']} 秒")
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
