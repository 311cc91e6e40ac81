"""Each reader on its format, and each bad file with its error in words."""

import io
from pathlib import Path

import numpy as np
import pytest

from apps.ecg import synth
from apps.ecg.readers import EcgReadError, canonical_lead, read_files, read_path
from apps.ecg.writers import to_aecg, to_csv

DATA = Path("/work/shared/data/ecg")


def test_it_reads_wfdb_record_100_in_millivolts():
    sig = read_path(DATA / "100.hea")
    assert sig.fs == 360
    assert sig.leads == ["II", "V5"]
    assert sig.data.dtype == np.float32
    assert sig.duration == pytest.approx(1805.56, abs=0.01)
    assert 0.5 < float(np.ptp(sig.data[0, :3600])) < 5  # millivolts, not ADC units


def test_it_reads_wfdb_from_uploaded_header_and_data():
    files = {name: (DATA / name).read_bytes() for name in ("100.hea", "100.dat")}
    assert read_files(files).leads == ["II", "V5"]


def test_it_names_the_missing_wfdb_data_file():
    with pytest.raises(EcgReadError, match=r"缺少数据文件：100\.dat"):
        read_files({"100.hea": (DATA / "100.hea").read_bytes()})


def test_it_names_a_missing_wfdb_header():
    with pytest.raises(EcgReadError, match="缺少头文件"):
        read_files({"100.dat": (DATA / "100.dat").read_bytes()})


def test_it_reads_the_dicom_12_lead_example():
    sig = read_files({"ecg.dcm": _dicom_bytes()})
    assert sig.leads == ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
    assert sig.fs == 1000
    assert sig.duration == 10
    assert 0.3 < float(np.ptp(sig.data[1])) < 5  # µV scaled to mV


def _dicom_bytes() -> bytes:
    from pydicom import examples

    buffer = io.BytesIO()
    examples.waveform.save_as(buffer)
    return buffer.getvalue()


def test_it_rejects_a_truncated_dicom():
    content = _dicom_bytes()
    with pytest.raises(EcgReadError, match="DICOM 文件无法读取"):
        read_files({"ecg.dcm": content[: len(content) // 2]})


def test_it_rejects_a_dicom_without_waveform():
    with pytest.raises(EcgReadError, match="没有波形数据"):
        read_files({"ecg.dcm": b"\0" * 128 + b"DICM" + b"garbage" * 10})


def test_it_round_trips_hl7_aecg():
    original = synth.generate("sinus", rate=70)
    sig = read_files({"ecg.xml": to_aecg(original)})
    assert sig.leads == original.leads and sig.fs == pytest.approx(500)
    assert np.abs(sig.data - original.data).max() < 0.003  # 5 µV per digit


def test_it_rejects_malformed_xml():
    with pytest.raises(EcgReadError, match="XML 文件无法解析"):
        read_files({"ecg.xml": b"<AnnotatedECG><broken"})


def test_it_refuses_xml_entities():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><AnnotatedECG>&a;</AnnotatedECG>'
    with pytest.raises(EcgReadError, match="不安全的实体"):
        read_files({"ecg.xml": bomb})


def test_it_reads_csv_with_rate_and_units_in_the_header():
    original = synth.generate("sinus", rate=70)
    sig = read_files({"ecg.csv": to_csv(original, units="uV")})
    assert sig.leads == original.leads
    assert np.abs(sig.data - original.data).max() < 0.001


def test_it_takes_csv_rate_and_units_from_the_form():
    # a few hundred microvolts, as an ECG is (a few µV would be refused as implausible)
    body = b"I,II\n" + b"\n".join(b"%d,%d" % (i % 7 * 100, i % 5 * 100) for i in range(2000))
    sig = read_files({"ecg.csv": body}, fs=250, units="uV")
    assert sig.fs == 250 and sig.leads[:2] == ["I", "II"]
    assert "III" in sig.leads  # derived from I and II
    assert any("由 I、II 导联计算得出" in note for note in sig.notes)


@pytest.mark.parametrize(
    ("body", "options", "message"),
    [
        (b"I,II\n1,2\n", {"units": "mV"}, "CSV 缺少采样率"),
        (b"# fs: 500\nI,II\n1,2\n", {}, "CSV 缺少单位"),
        (b"# fs: 500\n# units: mV\n1,2\n3,4\n", {}, "CSV 缺少导联名称"),
        (b"# fs: 500\n# units: mV\nfoo,bar\n1,2\n", {}, "没有可用的导联"),
        (b"# fs: 500\n# units: mV\nI,II\n1,2\n3,4\n", {}, "记录太短"),
        (b"# fs: 5\n# units: mV\nI\n" + b"1\n" * 100, {}, "采样率 5 Hz 不合理"),
        (b"# fs: 500\n# units: furlong\nI\n1\n", {}, "单位“furlong”无法识别"),
        (b"# fs: 500\n# units: mV\nI,II\n1,x\n", {}, "非数字"),
    ],
)
def test_it_explains_bad_csv(body, options, message):
    with pytest.raises(EcgReadError, match=message):
        read_files({"ecg.csv": body}, **options)


def test_it_rejects_an_unknown_format():
    with pytest.raises(EcgReadError, match=r"无法识别文件“ecg\.bin”的格式"):
        read_files({"ecg.bin": b"\x01\x02"})


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Lead I (Einthoven)", "I"),
        ("MDC_ECG_LEAD_AVR", "aVR"),
        ("MLII", "II"),
        ("v5", "V5"),
        ("Resp", ""),
    ],
)
def test_it_maps_lead_names(raw, name):
    assert canonical_lead(raw) == name
