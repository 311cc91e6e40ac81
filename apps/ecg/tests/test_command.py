"""`gongzhi ecg screen FILE [--json]` on the sample record and on a generated file."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.ecg import synth
from apps.ecg.writers import to_aecg, to_csv


def test_it_prints_beats_measurements_and_flags(tmp_path):
    path = tmp_path / "vt.xml"
    path.write_bytes(to_aecg(synth.generate("vt", rate=180)))
    out = StringIO()
    call_command("ecg", "screen", str(path), stdout=out)
    text = out.getvalue()
    assert "[疑似危急值] 疑似室性心动过速" in text
    assert "心搏：30 个" in text or "心搏：29 个" in text
    assert "机器筛查仅供参考" in text


def test_it_prints_json(tmp_path):
    path = tmp_path / "pause.csv"
    path.write_bytes(to_csv(synth.generate("pause", rate=70, pause_seconds=3.5)))
    out = StringIO()
    call_command("ecg", "screen", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert len(result["beats"]) == 9
    assert result["critical"] and result["flags"][0]["code"] == "pause"
    assert result["measurements"]["longest_rr"]["ms"] == pytest.approx(3500, abs=40)


def test_it_says_why_a_file_cannot_be_read(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("I,II\n1,2\n")
    with pytest.raises(CommandError, match="CSV 缺少采样率"):
        call_command("ecg", "screen", str(path))
