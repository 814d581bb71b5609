"""Stage 1, read: report files (txt or html, any common encoding) and their metadata.

``read_report(path, meta)`` gives a :class:`Report` whose ``text`` is the one all character
spans refer to (newlines normalised to ``\\n``; nothing else changed). Metadata comes from a
``manifest.csv`` beside the files (columns ``id,file,title,agency,jurisdiction,year,url``) or,
when there is none, from the report's own title line. A manifest row names a regular file
inside the manifest's folder and an absolute http(s) url, else it is one error line; only
regular files are read (never a FIFO or a device), and a NUL byte makes a file binary.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("id", "file", "title", "agency", "jurisdiction", "year", "url")
REPORT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".text")
MAX_MB_ENV = "POLICY_KG_MAX_REPORT_MB"
DEFAULT_MAX_MB = 20  # the largest real reports are well under 1 MB


def max_bytes() -> int:
    """The largest report file read ($POLICY_KG_MAX_REPORT_MB, default 20 MB)."""
    try:
        return int(float(os.environ.get(MAX_MB_ENV, DEFAULT_MAX_MB)) * 2**20)
    except ValueError:
        return DEFAULT_MAX_MB * 2**20


class ReadError(ValueError):
    """A report or manifest cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class ReportMeta:
    id: str
    title: str = ""
    agency: str = ""
    jurisdiction: str = ""
    year: int | None = None
    url: str = ""
    # where the metadata came from (manifest.csv:3), for error lines; not part of the metadata
    manifest_row: str = field(default="", compare=False)


@dataclass(frozen=True)
class Report:
    meta: ReportMeta
    text: str
    path: str = ""
    encoding: str = "utf-8"
    sha256: str = field(default="")

    @property
    def id(self) -> str:
        return self.meta.id


# --- decoding -------------------------------------------------------------------------

NUL = b"\x00"
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode report bytes; return (text, encoding). Raises ReadError when it is not text: a
    NUL byte anywhere (first byte, middle or end; txt or html) makes a file binary."""
    text, encoding = _decode(data, name)
    nul = text.find("\x00")
    if nul >= 0:
        raise ReadError(f"{name}: binary file, not a text report (a NUL byte at character {nul})")
    return text, encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as err:
                if bom == codecs.BOM_UTF32_LE:
                    continue  # FF FE 00 00 is also UTF-16's mark followed by a NUL character
                raise ReadError(f"{name}: starts with a {encoding} byte-order mark but is not valid {encoding} ({err.reason})") from err
    if NUL in data[:4096] and not _looks_utf16(data):  # before trying other encodings on it
        raise ReadError(f"{name}: binary file, not a text report (a NUL byte at byte {data.find(NUL)})")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        if utf8_error.reason == "unexpected end of data" and utf8_error.start >= len(data) - 3:
            return data[:utf8_error.start].decode("utf-8"), "utf-8"  # truncated in the last character
        if _looks_utf16(data):
            for encoding in ("utf-16-le", "utf-16-be"):
                try:
                    return data.decode(encoding), encoding
                except UnicodeDecodeError:
                    continue
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding and _mostly_text(str(best)):
            return str(best), best.encoding
        raise ReadError(f"{name}: not valid UTF-8 or GB18030 and no other encoding fits "
                        f"(first bad byte at offset {utf8_error.start})") from utf8_error


def _looks_utf16(data: bytes) -> bool:
    head = data[:2000]
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) >= max(2, len(head) // 100) and min(even, odd) * 4 <= max(even, odd)


def _mostly_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or ch == "\ufffd")
    return bad / len(text) < 0.01


# --- html -----------------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "svg", "form", "button", "select")
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
               "ul", "ol", "dd", "dt", "blockquote", "pre", "td", "th", "title"}


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, one block per line, scripts and navigation dropped."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        bad.drop_tree()
    for comment in root.xpath("//comment()"):
        comment.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() == "br":
                continue
            element.text = "\n" + (element.text or "")
    title = _page_title(root)
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and title not in lines[:6]:
        lines.insert(0, title)  # the report's title, from <h1> or <title>, as its first line
    return "\n".join(lines)


def _page_title(root) -> str:
    """A report title from the page's <h1>/<h2> or <title> (less the site name after _ or |)."""
    candidates = [h.text_content() for h in root.xpath("//h1|//h2")[:3]]
    candidates += [part for t in root.xpath("//title") for part in re.split(r"[_|｜]|\s[-—–]\s", t.text_content())]
    for candidate in candidates:
        candidate = re.sub(r"\s+", "", candidate)
        if _TITLE.match(candidate) and len(candidate) <= 80:
            return candidate
    return ""


def looks_like_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".html", ".htm"):
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


# --- reports --------------------------------------------------------------------------

def read_text(path: Path) -> tuple[str, str]:
    """The text of a report file (decoded, html stripped, newlines normalised). Only regular
    files are read: a FIFO, a device (/dev/zero) or a socket is refused without blocking."""
    kind = not_a_regular_file(path)
    if kind:
        raise ReadError(f"{path}: not a regular file ({kind}), not a report" if kind[0] == "a" else f"{path}: {kind}")
    limit = max_bytes()
    try:  # non-blocking, and checked again on the open file: it may have been swapped since
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)),
                       "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ReadError(f"{path}: not a regular file, not a report")
            if info.st_size > limit:
                raise ReadError(f"{path}: {info.st_size / 2**20:.0f} MB is larger than the {limit / 2**20:.0f} MB "
                                f"a report may be (set {MAX_MB_ENV} to allow more)")
            data = handle.read(limit + 1)
    except OSError as err:
        raise ReadError(f"{path}: cannot read ({err.strerror or err})") from err
    if len(data) > limit:
        raise ReadError(f"{path}: larger than the {limit / 2**20:.0f} MB a report may be (set {MAX_MB_ENV} to allow more)")
    text, encoding = decode(data, str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if looks_like_html(path, text):
        text = html_to_text(text)
    if not text.strip():
        raise ReadError(f"{path}: empty report (no text)")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise ReadError(f"{path}: no Chinese text: not a government report")
    return text, encoding


def read_report(path: str | Path, meta: ReportMeta | None = None) -> Report:
    """Read one report; metadata from ``meta`` or, field by field, from its title line."""
    path = Path(path)
    text, encoding = read_text(path)
    guessed = meta_from_text(text, path.stem)
    if meta is None:
        meta = guessed
    else:
        meta = replace(
            meta,
            title=meta.title or guessed.title,
            agency=meta.agency or guessed.agency,
            jurisdiction=meta.jurisdiction or guessed.jurisdiction,
            year=meta.year if meta.year is not None else guessed.year,
        )
    if meta.year is None:
        raise ReadError(f"{path}: no year: give it in manifest.csv or in the report's title line")
    return Report(meta=meta, text=text, path=str(path), encoding=encoding,
                  sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


_TITLE = re.compile(r"^(?P<agency>.{2,40}?)(?P<year>(?:19|20)\d{2})年(?:度)?(?P<kind>.{0,30}?(?:报告|总结|计划|要点))\s*$")
_REGION_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{2,8}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,8}?(?:市|自治州|地区|盟))?(?:[\u4e00-\u9fff]{1,8}?(?:区|县|旗|市))?")


def meta_from_text(text: str, fallback_id: str) -> ReportMeta:
    """Metadata read off the report itself: its title line (one of the first lines, naming a
    year and ending in 报告/总结/计划/要点) or, without one, the year and the body the opening
    sentence names (2025年，光明区政务服务和数据管理局…)."""
    title = agency = jurisdiction = ""
    year = None
    lines = [line.strip() for line in text.splitlines() if line.strip()][:4]
    for line in lines:
        match = _TITLE.match(line)
        if match and len(line) <= 80 and not _NUMBERED.match(line):
            title, agency, year = line, match.group("agency"), int(match.group("year"))
            if "政府工作报告" in line:
                year -= 1  # the 2026年政府工作报告 reports on 2025
                if re.fullmatch(r"[\u4e00-\u9fff]{2,12}?(?:省|自治区|市|州|盟|区|县|旗)", agency):
                    agency += "人民政府"  # 云溪市2026年政府工作报告 is the report of 云溪市人民政府
            break
    if year is None:
        opening = text.lstrip()[:300]
        match = re.match(r"^((?:19|20)\d{2})年", opening)
        if match:
            year = int(match.group(1))
    if not agency:
        agency = _opening_agency(text.lstrip()[:300])
    if agency:
        jurisdiction = region_of(agency)
    return ReportMeta(id=fallback_id, title=title, agency=agency, jurisdiction=jurisdiction, year=year)


_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])")


def _opening_agency(opening: str) -> str:
    """The first body named in full (with its region) in the opening sentence."""
    from kg.extract.agencies import Jurisdiction, find_agencies

    first = re.split(r"[。\n]", opening, maxsplit=1)[0]
    for mention in find_agencies(first, Jurisdiction()):
        if mention.is_government and mention.surface == mention.name and not mention.name.endswith(("委", "政府")):
            return mention.name
    return ""


def region_of(name: str) -> str:
    """The most specific region an agency name starts with (深圳市光明区政数局 → 光明区)."""
    match = _REGION_PREFIX.match(name)
    prefix = match.group(0) if match else ""
    parts = re.findall(r"[\u4e00-\u9fff]+?(?:省|自治区|自治州|地区|盟|市|区|县|旗)", prefix)
    return parts[-1] if parts else ""


def read_manifest(folder: Path) -> tuple[list[tuple[Path, ReportMeta]], list[str], set[str]]:
    """Rows of ``folder/manifest.csv`` as (file, metadata), one error line per bad row, and
    the names of every file the manifest names (good rows or bad)."""
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ReadError(f"{path}: cannot read ({err.strerror or err})") from err
    text, _ = decode(raw, str(path))
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("id", "file") if c not in columns]
    if missing:
        raise ReadError(f"{path}: missing column {', '.join(missing)} (want {','.join(MANIFEST_COLUMNS)})")
    entries, errors, named = [], [], set()
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        where = f"{path}:{number}"
        named.add(row.get("file", ""))
        entry = manifest_entry(folder, where, row)
        if isinstance(entry, str):
            errors.append(entry)
        else:
            entries.append(entry)
    return entries, errors, named


def manifest_entry(folder: Path, where: str, row: dict[str, str]) -> tuple[Path, ReportMeta] | str:
    """One manifest row as (file, metadata), or the line that says what is wrong with it: the
    file must lie inside the manifest's folder and be a regular file, the url must be an
    absolute http(s) URL (:func:`kg.urls.source_url`)."""
    from kg.urls import BadURL, source_url

    if not row.get("id") or not row.get("file"):
        return f"{where}: a row needs both an id and a file"
    year_text, year = row.get("year", ""), None
    if year_text:
        if not re.fullmatch(r"(19|20)\d{2}", year_text):
            return f"{where}: year {year_text!r} is not a year (report {row['id']})"
        year = int(year_text)
    try:
        url = source_url(row.get("url", ""))
    except BadURL as err:
        return f"{where}: {err} (report {row['id']})"
    file = manifest_file(folder, row["file"])
    if isinstance(file, str):
        return f"{where}: file {row['file']} {file} (report {row['id']})"
    return file, ReportMeta(id=row["id"], title=row.get("title", ""), agency=row.get("agency", ""),
                            jurisdiction=row.get("jurisdiction", ""), year=year, url=url,
                            manifest_row=where)


def manifest_file(folder: Path, name: str) -> Path | str:
    """``folder/name`` when it is a regular file inside ``folder`` (symlinks resolved: no
    ``../``, absolute path or link leads out), else what is wrong with it."""
    try:
        if Path(name).is_absolute():
            return "is outside the manifest's folder (an absolute path)"
        file = folder / name
        real, base = file.resolve(), folder.resolve()
    except (OSError, RuntimeError, ValueError) as err:  # a symlink loop, a NUL in the name
        return f"cannot be resolved ({err})"
    if not real.is_relative_to(base):
        return "is outside the manifest's folder"
    if not real.exists():
        return "is not there"
    kind = not_a_regular_file(real)
    return f"is not a regular file ({kind})" if kind else file


def not_a_regular_file(path: Path) -> str:
    """"" for a regular file (or a link to one), else what it is: "a FIFO", "a character
    device", … Only stat()s: never opens the path, so a FIFO cannot block."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as err:
        return f"cannot be read: {getattr(err, 'strerror', None) or err}"
    for test, kind in ((stat.S_ISREG, ""), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def manifest_row_of(path: Path) -> tuple[Path, ReportMeta] | str | None:
    """The row of ``path``'s folder manifest that names it, checked (:func:`manifest_entry`):
    (file, metadata), the row's error line, or None when no row names it or the manifest
    cannot be read."""
    folder = path.parent
    refused = None
    try:
        text, _ = decode((folder / MANIFEST).read_bytes(), str(folder / MANIFEST))
        target = path.resolve()
        for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if not isinstance(v, list)}
            name = row.get("file", "")
            if name and not Path(name).is_absolute() and (folder / name).resolve() == target:
                entry = manifest_entry(folder, f"{folder / MANIFEST}:{number}", row)
                if not isinstance(entry, str):
                    return entry
                refused = refused or entry
    except (OSError, ReadError, csv.Error, ValueError, RuntimeError):
        return None
    return refused


def discover(paths: list[Path]) -> tuple[list[tuple[Path, ReportMeta | None]], list[str]]:
    """Expand files and folders into (file, manifest metadata or None); collect manifest errors."""
    found: list[tuple[Path, ReportMeta | None]] = []
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            if (path / MANIFEST).is_file():
                try:
                    entries, row_errors, named = read_manifest(path)
                except ReadError as err:  # no id or file column, unreadable: nothing from this folder
                    errors.append(str(err))
                    continue
                errors += row_errors
                found += entries
                found += [(f, None) for f in sorted(path.iterdir())
                          if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES and f.name not in named]
            else:
                found += [(f, None) for f in sorted(path.rglob("*"))
                          if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES]
        elif path.is_file():
            meta = None
            manifest = path.parent / MANIFEST
            if manifest.is_file():
                row = manifest_row_of(path)
                if isinstance(row, str):  # its row is refused: not ingested without its metadata
                    errors.append(row)
                    continue
                meta = row[1] if row else None
            found.append((path, meta))
        elif path.exists():  # a FIFO, a device: a report that fails (read_text says why, unread)
            found.append((path, None))
        else:
            errors.append(f"{path}: no such file or folder")
    return found, errors
