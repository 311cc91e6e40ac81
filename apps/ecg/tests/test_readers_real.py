"""The readers on real recordings of the development sets (../shared/data/ecg) and on the file
shapes those collections use: .mat signal files, ISO base date, non-ECG channels, a single
monitoring lead, PTB .xyz, 8-bit samples; zips that must be refused in words."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from apps.ecg import synth
from apps.ecg.readers import EcgReadError, read_files, read_path

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "ecg"
ALARMS = DATA / "alarms2015"
STRIPS = DATA / "cinc2017"

pytestmark = pytest.mark.skipif(not ALARMS.exists(), reason="development sets not present")


@pytest.mark.parametrize("record", ["v100s", "v131l", "v244s", "v491l", "v809l"])
def test_it_reads_icu_alarm_records_and_names_the_dropped_channels(record):
    sig = read_path(ALARMS / f"{record}.hea")
    assert sig.fs == 250
    assert 1 <= len(sig.leads) <= 2
    dropped = {c["name"]: c["units"] for c in sig.dropped}
    header = (ALARMS / f"{record}.hea").read_text()
    for channel, unit in (("PLETH", "NU"), ("ABP", "mmHg"), ("RESP", "NU")):
        if f" {channel}" in header:
            assert dropped[channel] == unit
            assert any(f"已去除非心电通道“{channel}”（单位 {unit}）" in n for n in sig.notes)


def test_it_keeps_lead_v_as_a_monitoring_lead():
    sig = read_path(ALARMS / "v100s.hea")
    assert sig.leads == ["II", "V"]
    assert sig.monitoring_leads == ["V"]
    assert any("监护导联" in note for note in sig.notes)


def test_it_turns_missing_samples_into_a_stretch_without_signal():
    sig = read_path(ALARMS / "v491l.hea")  # the ECG starts 274 s into the record
    assert any("数据缺失" in note for note in sig.notes)
    assert float(np.ptp(sig.data[0, : 250 * 200])) == 0.0
    assert float(np.ptp(sig.data[0, -250 * 10 :])) > 0.3


@pytest.mark.parametrize("record", ["A00002", "A00004", "A00008"])
def test_it_reads_single_lead_strips_with_an_iso_date_in_the_header(record):
    sig = read_path(STRIPS / f"{record}.hea")
    assert sig.fs == 300 and sig.leads == ["ECG"]
    assert sig.base_datetime.startswith("20")  # e.g. 2014-05-16T11:05:25
    assert 0.3 < float(np.ptp(sig.data[0, :3000])) < 10


def test_it_reads_an_uploaded_header_with_its_mat_file():
    files = {f"A00002{ext}": (STRIPS / f"A00002{ext}").read_bytes() for ext in (".hea", ".mat")}
    assert read_files(files).leads == ["ECG"]


def test_every_record_of_both_development_sets_reads():
    failures = []
    for header in sorted(ALARMS.glob("*.hea")) + sorted(STRIPS.glob("*.hea")):
        try:
            read_path(header)
        except EcgReadError as exc:
            failures.append(f"{header.stem}: {exc}")
    assert failures == []


def _wfdb_files(name, leads, data_by_file, fs, fmt="16", gain=200.0):
    """A WFDB header and its signal files; `data_by_file` maps a file name to its leads' mV."""
    lines = [f"{name} {len(leads)} {fs:g} {next(iter(data_by_file.values())).shape[1]}"]
    files = {}
    k = 0
    for file_name, values in data_by_file.items():
        digital = np.rint(values * gain).astype(np.int64)
        if fmt == "80":
            files[file_name] = (np.clip(digital.T, -128, 127) + 128).astype(np.uint8).tobytes()
        else:
            files[file_name] = digital.T.astype("<i2").tobytes()
        for _ in range(values.shape[0]):
            lines.append(
                f"{file_name} {fmt} {gain:g}/mV {8 if fmt == '80' else 16} 0 0 0 0 {leads[k]}"
            )
            k += 1
    files[f"{name}.hea"] = ("\n".join(lines) + "\n").encode()
    return files


def test_it_reads_a_ptb_record_with_its_xyz_file_outside_a_zip(tmp_path):
    ecg = synth.generate("sinus", rate=70, fs=1000)
    frank = ecg.data[:3] * 0.5
    leads = ["i", "ii", "iii", "avr", "avl", "avf", *[f"v{i}" for i in range(1, 7)]]
    files = _wfdb_files(
        "s0010_re",
        [*leads, "vx", "vy", "vz"],
        {"s0010_re.dat": ecg.data, "s0010_re.xyz": frank},
        1000,
    )
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    sig = read_path(tmp_path / "s0010_re.hea")
    assert sig.leads == ecg.leads
    assert np.abs(sig.data - ecg.data).max() < 0.01
    assert any("vx" in note for note in sig.notes)


def test_it_reads_8_bit_samples():
    ecg = synth.generate("sinus", rate=70, fs=125)
    files = _wfdb_files("strip", ["II"], {"strip.dat": ecg.data[1:2]}, 125, fmt="80", gain=50)
    sig = read_files(files)
    assert sig.leads == ["II"] and sig.fs == 125
    assert np.abs(sig.data[0] - ecg.data[1]).max() < 0.02


def test_it_refuses_a_signal_whose_gain_is_plainly_wrong():
    ecg = synth.generate("sinus", rate=70, fs=250)
    files = _wfdb_files("big", ["II"], {"big.dat": ecg.data[1:2] * 50}, 250, gain=200)
    with pytest.raises(EcgReadError, match=r"信号幅度不合理：约 .* mV.*增益或单位写错"):
        read_files(files)


def test_it_refuses_a_sampling_rate_written_ten_times_too_high():
    sig = read_path(DATA / "100.hea")
    body = sig.data[:, : 360 * 60]
    files = _wfdb_files("fast", ["MLII", "V5"], {"fast.dat": body}, 3600)
    with pytest.raises(EcgReadError, match="采样率与信号不符：按 3600 Hz 计算"):
        read_files(files)


def _zip(members, **kwargs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", **kwargs) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_it_reads_a_wfdb_zip():
    members = {n: (DATA / n).read_bytes() for n in ("100.hea", "100.dat")}
    assert read_files({"100.zip": _zip(members, compression=zipfile.ZIP_DEFLATED)}).fs == 360


def test_it_caps_the_total_uncompressed_size_of_a_zip():
    # 40 members of 6 MB zeros each: small compressed, 240 MB once unpacked
    chunk = b"\0" * (6 * 1024 * 1024)
    members = {f"part{i}.dat": chunk for i in range(40)}
    with pytest.raises(EcgReadError, match="压缩包解压后过大"):
        read_files({"r.zip": _zip(members, compression=zipfile.ZIP_DEFLATED)})


def test_it_caps_the_number_of_members_of_a_zip():
    members = {f"f{i}.txt": b"x" for i in range(200)}
    with pytest.raises(EcgReadError, match="压缩包内文件过多（200 个"):
        read_files({"r.zip": _zip(members)})


def test_it_refuses_an_encrypted_zip_in_words():
    content = bytearray(_zip({"100.hea": (DATA / "100.hea").read_bytes()}))
    # set the "encrypted" bit in the local header and the central directory entry
    content[6] |= 0x1
    central = content.rfind(b"PK\x01\x02")
    content[central + 8] |= 0x1
    with pytest.raises(EcgReadError, match="压缩包已加密"):
        read_files({"r.zip": bytes(content)})


def test_it_refuses_an_unsupported_compression_in_words():
    content = _zip({"100.hea": (DATA / "100.hea").read_bytes()}, compression=zipfile.ZIP_LZMA)
    with pytest.raises(EcgReadError, match="不支持的压缩方式"):
        read_files({"r.zip": content})
