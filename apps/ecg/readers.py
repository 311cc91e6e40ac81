"""Reading ECG files into one normalised form: float32 millivolts, standard lead names, fs.

Formats: WFDB (.hea with its .dat, .mat or PTB .xyz signal files, or a .zip holding them; a
base date and time in the header in WFDB or ISO form), DICOM 12-lead waveform, HL7 aECG XML
and CSV (sampling rate, units and lead names required). Channels that are not ECG (PLETH,
ABP, RESP, anything in units other than volts) are dropped and named in `EcgSignal.dropped`.
A single lead named `ECG`, `col 1`, `V`, `MCL1`… is kept as a monitoring lead: the
measurements that need a known lead (axis, STEMI) leave it out. Every failure is an
`EcgReadError` whose message names the problem in words a clinic doctor can act on,
including signals that cannot be an ECG as declared (amplitude, sampling rate).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STANDARD_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
MIN_SECONDS = 2.5
MIN_FS = 100.0
MAX_FS = 10000.0
MAX_SAMPLES = 10000 * 3600  # one hour at 10 kHz per lead: larger files are not ECGs we read
MAX_ZIP_BYTES = 200 * 1024 * 1024  # all members of a WFDB zip together, uncompressed
MAX_ZIP_MEMBERS = 64
MAX_SPAN_MV = 30.0  # a robust peak-to-peak above this is not an ECG in mV (gain or units wrong)
MIN_SPAN_MV = 0.03  # below this on every lead: a flat line or µV written as mV
WFDB_SUFFIXES = {".hea", ".dat", ".mat", ".xyz"}
# Monitoring leads: a single ECG channel whose electrode position is not one of the 12 leads.
_MONITORING = {"ECG": "ECG", "ECG1": "ECG", "ECG2": "ECG", "COL1": "ECG", "V": "V", "MCL": "MCL"}
_MONITORING_RE = re.compile(r"^(MCL[1-6]|CM[1-6]|CC5|ML|MV[1-6]?|EKG[12]?)$")
_NOT_ECG_RE = re.compile(
    r"(PLETH|SPO2|ABP|ART|PAP|CVP|ICP|RESP|CO2|PULSE|BP|TEMP|NBP|ECG_?RATE|HR)", re.IGNORECASE
)

_ALIASES = {
    "MLI": "I",
    "MLII": "II",
    "MLIII": "III",
    "AVR": "aVR",
    "AVL": "aVL",
    "AVF": "aVF",
    "-AVR": "",
}
_UNIT_SCALE = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3, "nv": 1e-6}


class EcgReadError(ValueError):
    """A file we cannot turn into an ECG; the message says why, in Chinese."""


@dataclass
class EcgSignal:
    """An ECG as the rest of the app sees it: `data[i]` is lead `leads[i]` in mV at `fs` Hz."""

    fs: float
    leads: list[str]
    data: np.ndarray  # shape (n_leads, n_samples), float32, mV
    source_format: str = ""
    notes: list[str] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)  # non-ECG channels left out
    base_datetime: str = ""  # from the WFDB header, ISO form, when the file carries one

    @property
    def monitoring_leads(self) -> list[str]:
        return [lead for lead in self.leads if lead not in STANDARD_LEADS]

    @property
    def n_samples(self) -> int:
        return int(self.data.shape[1])

    @property
    def duration(self) -> float:
        return self.n_samples / self.fs

    def lead(self, name: str) -> np.ndarray | None:
        return self.data[self.leads.index(name)] if name in self.leads else None


def canonical_lead(name: str) -> str:
    """'Lead I (Einthoven)', 'MDC_ECG_LEAD_AVR', 'MLII', 'v5' → I, aVR, II, V5; '' if unknown."""
    text = name.strip()
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(r"^(MDC_ECG_LEAD_|LEAD[\s_-]*|导联)", "", text, flags=re.IGNORECASE).strip()
    text = text.replace(" ", "").replace("_", "")
    upper = text.upper()
    if upper in _ALIASES:
        return _ALIASES[upper]
    if upper in {"I", "II", "III"}:
        return upper
    match = re.fullmatch(r"V([1-6])", upper)
    if match:
        return f"V{match.group(1)}"
    return ""


def monitoring_lead(name: str) -> str:
    """'ECG', 'col 1', 'V', 'MCL1' → a monitoring lead name; '' if the name is not one."""
    key = re.sub(r"[\s_-]", "", name).upper()
    if key in _MONITORING:
        return _MONITORING[key]
    return key if _MONITORING_RE.match(key) else ""


def voltage_unit(unit: str) -> bool:
    key = unit.strip().lower().replace("micro", "u").replace("milli", "m").replace("volt", "v")
    return key.rstrip("s") in _UNIT_SCALE


def _unit_scale(unit: str, where: str) -> float:
    key = unit.strip().lower().replace("micro", "u").replace("milli", "m").replace("volt", "v")
    key = key.rstrip("s")
    if key not in _UNIT_SCALE:
        raise EcgReadError(f"{where}的单位“{unit}”无法识别（应为 mV、uV 或 V）")
    return _UNIT_SCALE[key]


def normalise(
    fs: float,
    channels: Mapping[str, np.ndarray],
    source_format: str,
    *,
    dropped: list[dict[str, str]] | None = None,
) -> EcgSignal:
    """Map lead names, drop unusable channels, derive missing limb leads, check length and
    that the signal can be an ECG as declared."""
    if not fs or not np.isfinite(fs):
        raise EcgReadError("缺少采样率")
    if not MIN_FS <= fs <= MAX_FS:
        raise EcgReadError(f"采样率 {fs:g} Hz 不合理（应在 {MIN_FS:g}–{MAX_FS:g} Hz 之间）")
    notes: list[str] = []
    dropped = list(dropped or [])
    for channel in dropped:
        notes.append(f"已去除非心电通道“{channel['name']}”（单位 {channel['units'] or '未注明'}）")
    found: dict[str, np.ndarray] = {}
    for raw_name, values in channels.items():
        name = canonical_lead(raw_name) or monitoring_lead(raw_name)
        if not name:
            notes.append(f"忽略无法识别的导联“{raw_name}”")
            dropped.append({"name": raw_name, "units": "", "reason": "导联名无法识别"})
            continue
        if name in found:
            notes.append(f"导联 {name} 重复，只保留第一个")
            continue
        arr = np.asarray(values, dtype=np.float64)
        finite = np.isfinite(arr)
        if finite.sum() < min(MIN_SECONDS * fs, 0.5 * arr.size):
            notes.append(f"导联 {name} 几乎没有数据，已忽略")
            continue
        if not finite.all():
            # Missing samples become a flat line at the lead's median: the screening sees
            # a stretch without signal and excludes it, instead of inventing a waveform.
            arr = np.where(finite, arr, float(np.median(arr[finite])))
            missing = (~finite).sum() / fs
            notes.append(f"导联 {name} 有 {missing:.1f} 秒数据缺失（按无信号处理）")
        found[name] = arr
    if not found:
        raise EcgReadError(
            "文件中没有可用的导联（需要 I、II、III、aVR、aVL、aVF、V1–V6 或单个监护导联）"
        )
    lengths = {a.size for a in found.values()}
    n = min(lengths)
    if n / fs < MIN_SECONDS:
        raise EcgReadError(f"记录太短：{n / fs:.1f} 秒，至少需要 {MIN_SECONDS:g} 秒")
    found = {k: v[:n] for k, v in found.items()}
    _derive_limb_leads(found, notes)
    leads = [lead for lead in STANDARD_LEADS if lead in found]
    leads += [lead for lead in found if lead not in STANDARD_LEADS]
    monitoring = [lead for lead in leads if lead not in STANDARD_LEADS]
    if monitoring:
        notes.append(
            f"导联 {'、'.join(monitoring)} 按监护导联分析（电极位置不明，不计算电轴和ST段）"
        )
    data = np.vstack([found[lead] for lead in leads]).astype(np.float32)
    _check_plausible(data, fs)
    return EcgSignal(
        fs=float(fs),
        leads=leads,
        data=data,
        source_format=source_format,
        notes=notes,
        dropped=dropped,
    )


def _check_plausible(data: np.ndarray, fs: float) -> None:
    """Refuse what cannot be an ECG as declared: amplitudes far outside millivolts (wrong
    gain or units) and a sampling rate that makes every QRS a slow wave (rate written ×10)."""
    size = int(10 * fs)
    count = max(1, data.shape[1] // size)
    segments = data[:, : count * size].reshape(data.shape[0], count, -1)
    if segments.shape[2] == 0:  # shorter than 10 s: one segment
        segments = data[:, None, :]
    # typical span per lead: the median over 10 s segments (artefact bursts do not count)
    span = np.median(np.ptp(segments, axis=2), axis=1)
    if float(np.min(span)) > MAX_SPAN_MV:
        raise EcgReadError(
            f"信号幅度不合理：约 {float(np.min(span)):.0f} mV（心电图一般在 0.5–5 mV），"
            "可能增益或单位写错"
        )
    top = float(np.max(np.percentile(np.ptp(segments, axis=2), 90, axis=1)))
    if top < MIN_SPAN_MV:
        raise EcgReadError(
            f"信号幅度不合理：各导联仅约 {top * 1000:.0f} µV，"
            "可能是直线，或单位写错（如 µV 写成 mV）"
        )
    share = _ecg_band_share(data, fs)
    # Real recordings, noisy ICU ones included, keep ≥ 6 % there; a clean ECG read at ten
    # times its rate keeps < 1 %. Only the plain cases are refused.
    if share < 0.025:
        raise EcgReadError(
            f"采样率与信号不符：按 {fs:g} Hz 计算，信号的主要成分在 40 Hz 以上"
            f"（0.7–40 Hz 只占 {share * 100:.1f}%），心率会高得不可能，可能采样率写错"
            "（如多写了一个 0）"
        )


def _ecg_band_share(data: np.ndarray, fs: float) -> float:
    """Share of the power above 0.7 Hz that lies at 0.7–40 Hz, where an ECG lives (with
    the rate written ×10, every beat is ten times too fast and the power moves above 40 Hz).
    Measured on the slope, so that baseline wander does not count; the lead with the
    largest share speaks for the record."""
    n = min(data.shape[1], int(60 * fs))
    x = np.diff(data[:, :n].astype(np.float64), axis=1)  # the slope: wander does not count
    power = np.abs(np.fft.rfft(x, axis=1)) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], 1 / fs)
    total = power[:, freqs >= 0.7].sum(axis=1)
    band = power[:, (freqs >= 0.7) & (freqs <= 40)].sum(axis=1)
    shares = np.where(total > 0, band / np.maximum(total, 1e-30), 1.0)
    return float(shares.max())


def _derive_limb_leads(found: dict[str, np.ndarray], notes: list[str]) -> None:
    """With I and II present, the other four limb leads follow from Einthoven and Goldberger."""
    if "I" not in found or "II" not in found:
        return
    lead_i, lead_ii = found["I"], found["II"]
    derived = {
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2,
        "aVL": lead_i - lead_ii / 2,
        "aVF": lead_ii - lead_i / 2,
    }
    for name, values in derived.items():
        if name not in found:
            found[name] = values
            notes.append(f"导联 {name} 由 I、II 导联计算得出")


def sniff_format(name: str, head: bytes) -> str:
    lower = name.lower()
    if lower.endswith(".zip"):
        return "wfdb"
    if lower.endswith((".hea", ".dat", ".mat", ".xyz")):
        return "wfdb"
    if lower.endswith((".dcm", ".dicom")) or head[128:132] == b"DICM":
        return "dicom"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if lower.endswith(".xml") or stripped.startswith(b"<"):
        return "aecg"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    raise EcgReadError(f"无法识别文件“{name}”的格式（支持 WFDB、DICOM、HL7 aECG XML、CSV）")


def read_files(
    files: Mapping[str, bytes],
    *,
    fs: float | None = None,
    units: str = "",
    lead_names: list[str] | None = None,
) -> EcgSignal:
    """Read an upload (one file, or a WFDB header with its data file) into an EcgSignal.

    `fs`, `units` and `lead_names` complete a CSV whose header does not carry them.
    """
    if not files:
        raise EcgReadError("没有上传文件")
    names = list(files)
    kinds = {n: sniff_format(n, files[n][:256]) for n in names}
    if "wfdb" in kinds.values():
        return read_wfdb(files)
    if len(files) != 1:
        raise EcgReadError("一次只能上传一个心电文件（WFDB 格式可同时上传 .hea 和 .dat）")
    name = names[0]
    content = files[name]
    kind = kinds[name]
    if kind == "dicom":
        return read_dicom(content)
    if kind == "aecg":
        return read_aecg(content)
    return read_csv(content, fs=fs, units=units, lead_names=lead_names)


def _zip_members(content: bytes) -> dict[str, bytes]:
    """The files of a WFDB zip, with the total size and the member count capped before
    anything is decompressed (a zip bomb is refused, not unpacked)."""
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > MAX_ZIP_MEMBERS:
                raise EcgReadError(
                    f"压缩包内文件过多（{len(infos)} 个，最多 {MAX_ZIP_MEMBERS} 个），"
                    "请只打包一条记录的 .hea 和数据文件"
                )
            total = sum(i.file_size for i in infos)
            if total > MAX_ZIP_BYTES:
                raise EcgReadError(
                    f"压缩包解压后过大（{total / 1024 / 1024:.0f} MB，"
                    f"最多 {MAX_ZIP_BYTES // 1024 // 1024} MB）"
                )
            for info in infos:
                if info.flag_bits & 0x1:
                    raise EcgReadError("压缩包已加密（设有密码），请上传未加密的压缩包")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise EcgReadError(
                        "压缩包使用了不支持的压缩方式，请用普通 ZIP（Deflate）重新打包"
                    )
                data = archive.read(info)
                if len(data) != info.file_size:
                    raise EcgReadError("压缩包内文件大小与目录不符，文件可能已损坏")
                members[Path(info.filename).name] = data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise EcgReadError("压缩包已损坏，无法打开") from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted or unknown method
        raise EcgReadError("压缩包无法解开（已加密或使用了不支持的压缩方式）") from exc
    return members


_WFDB_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_WFDB_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _fix_record_line(text: str) -> tuple[str, str]:
    """A header whose record line carries the base date and time in ISO form
    (`A00001 1 300 9000 2014-05-08 05:05:15`) is rewritten in WFDB form (time, then
    DD/MM/YYYY), which the WFDB reader expects. Returns the header and the ISO date-time."""
    lines = text.splitlines()
    for k, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens = line.split()
        extra = tokens[4:]
        if not extra:
            return text, ""
        time_part = next((t for t in extra if _WFDB_TIME.match(t)), "")
        iso = next((_ISO_DATE.match(t) for t in extra if _ISO_DATE.match(t)), None)
        wfdb_date = next((t for t in extra if _WFDB_DATE.match(t)), "")
        if iso:
            year, month, day = iso.groups()
            wfdb_date = f"{day}/{month}/{year}"
        stamp = ""
        if wfdb_date:
            day, month, year = wfdb_date.split("/")
            stamp = f"{year}-{month}-{day}" + (f"T{time_part}" if time_part else "")
        elif time_part:
            stamp = time_part
        rebuilt = tokens[:4] + ([time_part or "00:00:00"] if wfdb_date or time_part else [])
        rebuilt += [wfdb_date] if wfdb_date else []
        lines[k] = " ".join(rebuilt)
        return "\n".join(lines) + "\n", stamp
    return text, ""


def read_wfdb(files: Mapping[str, bytes]) -> EcgSignal:
    import wfdb

    members = dict(files)
    for name, content in files.items():
        if name.lower().endswith(".zip"):
            members.pop(name)
            members.update(_zip_members(content))
    headers = [n for n in members if n.lower().endswith(".hea")]
    if not headers:
        raise EcgReadError("WFDB 记录缺少头文件（.hea）")
    record_name = Path(headers[0]).stem
    if not re.fullmatch(r"[\w.-]+", record_name):
        raise EcgReadError("WFDB 记录名只能包含字母、数字、下划线、点和连字符")
    try:
        header_text = members[headers[0]].decode("latin-1")
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes any bytes
        raise EcgReadError("WFDB 头文件无法解析") from exc
    header_text, stamp = _fix_record_line(header_text)
    members[headers[0]] = header_text.encode("latin-1")
    with tempfile.TemporaryDirectory(prefix="gongzhi-ecg-") as tmp:
        for name, content in members.items():
            safe = Path(name).name
            if re.fullmatch(r"[\w.-]+", safe):
                (Path(tmp) / safe).write_bytes(content)
        try:
            header = wfdb.rdheader(str(Path(tmp) / record_name))
        except Exception as exc:
            raise EcgReadError(f"WFDB 头文件无法解析：{exc}") from exc
        missing = sorted({f for f in (header.file_name or []) if not (Path(tmp) / f).exists()})
        if missing:
            raise EcgReadError(f"WFDB 记录缺少数据文件：{'、'.join(missing)}")
        if (header.sig_len or 0) * (header.n_sig or 1) > MAX_SAMPLES:
            raise EcgReadError("记录过长，超过 1 小时，请截取后上传")
        if header.fs and not MIN_FS <= float(header.fs) <= MAX_FS:
            raise EcgReadError(
                f"采样率 {float(header.fs):g} Hz 不合理（应在 {MIN_FS:g}–{MAX_FS:g} Hz 之间）"
            )
        try:
            record = wfdb.rdrecord(str(Path(tmp) / record_name), physical=True)
        except Exception as exc:
            raise EcgReadError(f"WFDB 数据文件无法读取（可能已损坏或不完整）：{exc}") from exc
    if record.p_signal is None or not record.fs:
        raise EcgReadError("WFDB 记录中没有信号数据")
    channels = {}
    dropped: list[dict[str, str]] = []
    for i, name in enumerate(record.sig_name or []):
        unit = (record.units[i] if record.units else "") or "mV"
        ecg_name = canonical_lead(name) or monitoring_lead(name)
        if not voltage_unit(unit) or (not ecg_name and _NOT_ECG_RE.search(name)):
            dropped.append({"name": name, "units": unit})
            continue
        channels[name] = record.p_signal[:, i] * _unit_scale(unit, f"导联 {name} ")
    sig = normalise(float(record.fs), channels, "wfdb", dropped=dropped)
    sig.base_datetime = stamp
    return sig


def read_dicom(content: bytes) -> EcgSignal:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(io.BytesIO(content))
    except (InvalidDicomError, EOFError, ValueError, OSError) as exc:
        raise EcgReadError("DICOM 文件无法读取（文件损坏或不是 DICOM）") from exc
    groups = ds.get("WaveformSequence")
    if not groups:
        raise EcgReadError("DICOM 文件中没有波形数据（WaveformSequence）")
    index = 0
    for i, group in enumerate(groups):
        if str(group.get("MultiplexGroupLabel", "")).upper() == "RHYTHM":
            index = i
            break
    group = groups[index]
    fs = float(group.get("SamplingFrequency") or 0)
    if not fs:
        raise EcgReadError("DICOM 波形缺少采样率（SamplingFrequency）")
    try:
        values = ds.waveform_array(index)
    except Exception as exc:
        raise EcgReadError(f"DICOM 波形数据无法解码：{exc}") from exc
    channels = {}
    for i, definition in enumerate(group.ChannelDefinitionSequence):
        source = definition.ChannelSourceSequence[0]
        name = str(source.get("CodeMeaning") or source.get("CodeValue") or f"通道{i + 1}")
        unit_seq = definition.get("ChannelSensitivityUnitsSequence")
        unit = str(unit_seq[0].CodeValue) if unit_seq else "uV"
        channels[name] = values[:, i] * _unit_scale(unit, f"导联 {name} ")
    return normalise(fs, channels, "dicom")


_HL7 = "{urn:hl7-org:v3}"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def read_aecg(content: bytes) -> EcgSignal:
    """HL7 v3 annotated ECG: the first sequence set with a time axis and SLIST_PQ leads."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(content)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise EcgReadError("XML 文件无法解析（格式错误或含有不安全的实体）") from exc
    if not root.tag.endswith("AnnotatedECG"):
        raise EcgReadError("XML 文件不是 HL7 aECG（根元素应为 AnnotatedECG）")
    for sequence_set in root.iter(f"{_HL7}sequenceSet"):
        fs = None
        channels: dict[str, np.ndarray] = {}
        for sequence in sequence_set.iter(f"{_HL7}sequence"):
            code = sequence.find(f"{_HL7}code")
            value = sequence.find(f"{_HL7}value")
            if code is None or value is None:
                continue
            code_text = code.get("code", "")
            kind = value.get(_XSI_TYPE, "")
            if code_text.startswith("TIME_") and kind.endswith("GLIST_TS"):
                fs = _aecg_rate(value)
            elif kind.endswith("SLIST_PQ"):
                channels[code_text] = _aecg_values(value, code_text)
        if channels:
            if fs is None:
                raise EcgReadError("aECG 文件缺少采样率（时间序列的 increment）")
            return normalise(fs, channels, "aecg")
    raise EcgReadError("aECG 文件中没有导联数据（sequenceSet/SLIST_PQ）")


def _aecg_rate(value: object) -> float:
    increment = value.find(f"{_HL7}increment")  # type: ignore[attr-defined]
    if increment is None:
        raise EcgReadError("aECG 文件缺少采样率（时间序列的 increment）")
    try:
        step = float(increment.get("value"))
    except (TypeError, ValueError) as exc:
        raise EcgReadError("aECG 的采样间隔不是数字") from exc
    unit = (increment.get("unit") or "s").lower()
    seconds = step / 1000 if unit == "ms" else step
    if seconds <= 0:
        raise EcgReadError("aECG 的采样间隔必须大于 0")
    return 1.0 / seconds


def _aecg_values(value: object, lead: str) -> np.ndarray:
    origin = value.find(f"{_HL7}origin")  # type: ignore[attr-defined]
    scale = value.find(f"{_HL7}scale")  # type: ignore[attr-defined]
    digits = value.find(f"{_HL7}digits")  # type: ignore[attr-defined]
    if scale is None or digits is None or not (digits.text or "").strip():
        raise EcgReadError(f"aECG 导联 {lead} 缺少 scale 或 digits")
    try:
        raw = np.array((digits.text or "").split(), dtype=np.float64)
        origin_value = float(origin.get("value", 0)) if origin is not None else 0.0
        scale_value = float(scale.get("value"))
    except (TypeError, ValueError) as exc:
        raise EcgReadError(f"aECG 导联 {lead} 的数据不是数字") from exc
    unit = scale.get("unit") or "uV"
    return (raw * scale_value + origin_value) * _unit_scale(unit, f"导联 {lead} ")


_META_RE = re.compile(r"^#\s*([\w ]+?)\s*[:=]\s*(.+?)\s*$")
_FS_KEYS = {"fs", "sampling_rate", "sampling rate", "samplingrate", "采样率", "sample_rate"}
_UNIT_KEYS = {"units", "unit", "单位"}
_TIME_COLUMNS = {"time", "t", "times", "时间", "sample", "index"}


def read_csv(
    content: bytes,
    *,
    fs: float | None = None,
    units: str = "",
    lead_names: list[str] | None = None,
) -> EcgSignal:
    """CSV with one column per lead. The sampling rate and units come from `# fs: 500` and
    `# units: uV` comment lines at the top, or from the upload form; lead names from the header
    row or the form."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise EcgReadError("CSV 文件编码无法识别（请使用 UTF-8）") from exc
    lines = text.splitlines()
    meta: dict[str, str] = {}
    body_start = 0
    for i, line in enumerate(lines):
        match = _META_RE.match(line)
        if match:
            meta[match.group(1).strip().lower()] = match.group(2)
            body_start = i + 1
        elif line.strip().startswith("#") or not line.strip():
            body_start = i + 1
        else:
            break
    fs = fs or _meta_float(meta, _FS_KEYS)
    units = units or next((meta[k] for k in _UNIT_KEYS if k in meta), "")
    if not fs:
        raise EcgReadError("CSV 缺少采样率：请在文件开头写“# fs: 500”或在上传时填写")
    if not units:
        raise EcgReadError("CSV 缺少单位：请在文件开头写“# units: mV”（或 uV）或在上传时填写")
    scale = _unit_scale(units, "CSV ")
    rows = list(csv.reader(lines[body_start:]))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise EcgReadError("CSV 文件中没有数据")
    header = [c.strip() for c in rows[0]]
    has_header = any(re.search(r"[A-Za-z\u4e00-\u9fff]", c) for c in header)
    if has_header:
        rows = rows[1:]
    elif lead_names:
        header = list(lead_names)
    else:
        raise EcgReadError("CSV 缺少导联名称：第一行应为导联名（如 I,II,III,aVR…）")
    try:
        table = np.array(rows, dtype=np.float64)
    except ValueError as exc:
        raise EcgReadError("CSV 中有非数字的数据，或各行列数不一致") from exc
    if table.ndim != 2 or table.shape[1] != len(header):
        raise EcgReadError("CSV 各行的列数与导联名称的个数不一致")
    channels = {
        name: table[:, i] * scale
        for i, name in enumerate(header)
        if name.strip().lower() not in _TIME_COLUMNS
    }
    return normalise(float(fs), channels, "csv")


def _meta_float(meta: Mapping[str, str], keys: set[str]) -> float | None:
    for key in keys:
        if key in meta:
            try:
                return float(re.sub(r"\s*hz\s*$", "", meta[key], flags=re.IGNORECASE))
            except ValueError as exc:
                raise EcgReadError(f"采样率“{meta[key]}”不是数字") from exc
    return None


def read_path(path: str | Path, **options: object) -> EcgSignal:
    """Read a file from disk; a WFDB header brings its data files from the same folder."""
    path = Path(path)
    if not path.exists():
        raise EcgReadError(f"文件不存在：{path}")
    files = {path.name: path.read_bytes()}
    if path.suffix.lower() in WFDB_SUFFIXES:
        stem = path.with_suffix("")
        for sibling in path.parent.glob(f"{stem.name}.*"):
            if sibling.suffix.lower() in WFDB_SUFFIXES:
                files[sibling.name] = sibling.read_bytes()
    return read_files(files, **options)  # type: ignore[arg-type]
