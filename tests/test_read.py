"""Stage 1: reading files in any common encoding, HTML pages, manifests and title lines."""
from __future__ import annotations

import codecs

import pytest

from kg.read import ReadError, ReportMeta, decode, discover, html_to_text, meta_from_text, read_manifest, read_report

TEXT = "深圳市某区司法局2025年法治政府建设年度报告\n一、主要工作\n全年办理案件12件。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_every_common_encoding_reads_back(tmp_path, encoding):
    path = tmp_path / "r.txt"
    data = TEXT.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    report = read_report(path)
    assert report.text == TEXT
    assert report.meta.year == 2025


def test_utf16_without_bom_is_detected():
    text, encoding = decode(TEXT.encode("utf-16-le"), "x")
    assert text == TEXT and encoding.startswith("utf-16")


def test_crlf_is_normalised(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert "\r" not in read_report(path).text


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\t  \n", "empty"),
    (bytes(range(256)) * 8, "binary"),
    (b"just some english text, no report here", "no Chinese"),
])
def test_bad_files_get_one_clear_error_naming_the_file(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        read_report(path, ReportMeta(id="bad", year=2025))
    message = str(info.value)
    assert str(path) in message and reason in message and "\n" not in message


def test_truncated_utf8_is_still_read_as_far_as_it_goes(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes(TEXT.encode("utf-8")[:-1])  # cut inside the last character
    report = read_report(path)
    assert report.text.startswith("深圳市某区司法局")


def test_html_page_drops_scripts_navigation_and_keeps_paragraphs():
    page = """<html><head><title>t</title><script>var a = "网站首页";</script><style>p{}</style></head>
    <body><nav>网站首页 信息公开</nav><div class="content"><p>一、主要工作</p><p>全年办理案件<b>12</b>件。</p></div>
    <footer>版权所有</footer></body></html>"""
    text = html_to_text(page)
    assert "var a" not in text and "网站首页" not in text and "版权所有" not in text
    assert "一、主要工作\n全年办理案件12件。" in text


def test_html_file_is_read_as_text(tmp_path):
    path = tmp_path / "r.html"
    path.write_text("<html><body><p>某区2025年法治政府建设年度报告</p><p>全年办理案件12件。</p></body></html>",
                    encoding="gb18030")
    report = read_report(path, ReportMeta(id="r", year=2025))
    assert "全年办理案件12件。" in report.text and "<p>" not in report.text


def test_title_line_gives_metadata_when_there_is_no_manifest():
    meta = meta_from_text("深圳市光明区政务服务和数据管理局2025年法治政府建设年度报告\n正文。", "x")
    assert meta.year == 2025
    assert meta.agency == "深圳市光明区政务服务和数据管理局"
    assert meta.jurisdiction == "光明区"
    assert meta.title.endswith("年度报告")


def test_report_without_year_anywhere_is_refused(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("一、主要工作\n全年办理案件12件。", encoding="utf-8")
    with pytest.raises(ReadError, match="no year"):
        read_report(path)


def test_manifest_rows_and_errors(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "id,file,title,agency,jurisdiction,year,url\n"
        "a,a.txt,标题,某局,某区,2025,\n"
        "b,b.txt,标题,某局,某区,twenty,\n"
        "c,missing.txt,标题,某局,某区,2025,\n", encoding="utf-8")
    entries, errors, named = read_manifest(tmp_path)
    assert [m.id for _, m in entries] == ["a"]
    assert any("is not a year" in e and "manifest.csv:3" in e for e in errors)
    assert any("missing.txt is not there" in e for e in errors)
    assert named == {"a.txt", "b.txt", "missing.txt"}
    found, errors2 = discover([tmp_path])
    assert [p.name for p, _ in found] == ["a.txt"]  # b.txt is not ingested without its metadata


def test_manifest_missing_columns(tmp_path):
    (tmp_path / "manifest.csv").write_text("name,path\nx,y\n", encoding="utf-8")
    with pytest.raises(ReadError, match="missing column id, file"):
        read_manifest(tmp_path)


def test_government_work_report_title_reports_on_the_year_before():
    meta = meta_from_text("云溪市2026年政府工作报告\n——在市人民代表大会上\n各位代表：", "x")
    assert meta.year == 2025 and meta.agency == "云溪市人民政府" and meta.jurisdiction == "云溪市"


def test_without_a_title_line_the_opening_sentence_gives_year_and_body():
    meta = meta_from_text("2025年,在区委、区政府的坚强领导下,光明区政务服务和数据管理局锚定目标。\n一、主要工作", "x")
    assert meta.year == 2025 and meta.agency == "光明区政务服务和数据管理局" and meta.title == ""


def test_a_section_heading_is_not_a_title_line():
    meta = meta_from_text("正文开始。\n三、2026年法治政府建设工作计划\n", "x")
    assert meta.title == ""


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # 50 MB of report text
        handle.write(("全年办理案件12件。" * 1000 + "\n").encode("utf-8") * 2000)
    assert path.stat().st_size > 50_000_000
    with pytest.raises(ReadError, match=r"huge.txt: \d+ MB is larger than the 20 MB a report may be"):
        read_report(path, ReportMeta(id="huge", year=2025))


def test_a_web_page_report_title_comes_from_the_page(tmp_path):
    page = """<html><head><title>某区司法局2025年法治政府建设年度报告_某区人民政府门户网站</title></head><body>
    <div class="crumb">首页 &gt; 信息公开 &gt; 法治政府建设</div>
    <div class="info">来源：某区司法局 时间：2026-01-20 【字号：大 中 小】</div>
    <div class="tools">下载 打印 全屏</div>
    <p>2025年，我局扎实推进法治建设。</p><p>一、主要工作</p><p>全年办理案件12件。</p>
    <div>相关政策法规/解读</div></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = read_report(path)
    assert report.meta.title == "某区司法局2025年法治政府建设年度报告" and report.meta.year == 2025
    from kg.extract.segment import segment

    sentences = [s.text for s in segment(report.text, 2025, report.meta.title).sentences]
    assert sentences == ["2025年，我局扎实推进法治建设。", "一、主要工作", "全年办理案件12件。"]


def _manifest(folder, *rows: str):
    (folder / "manifest.csv").write_text("id,file,title,agency,jurisdiction,year,url\n" + "".join(r + "\n" for r in rows),
                                         encoding="utf-8")


@pytest.mark.parametrize("url, reason", [
    ("javascript:alert(1)", "must start with http:// or https://"),
    ("data:text/html,<b>x</b>", "is not an IRI"),
    ("file:///etc/passwd", "must start with http:// or https://"),
    ("/relative/page.html", "must start with http:// or https://"),
    ("http://example.org/a b", "is not an IRI"),
    ("https://", "names no host"),
])
def test_a_manifest_url_that_is_not_http_is_the_rows_error(tmp_path, url, reason):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    _manifest(tmp_path, f'a,a.txt,,,,2025,"{url}"', "b,b.txt,,,,2025,https://example.org/b.html")
    entries, errors, _ = read_manifest(tmp_path)
    assert [(m.id, m.url) for _, m in entries] == [("b", "https://example.org/b.html")]
    assert len(errors) == 1 and "manifest.csv:2" in errors[0] and reason in errors[0] and "\n" not in errors[0]
    found, _ = discover([tmp_path])
    assert [p.name for p, _ in found] == ["b.txt"]  # a.txt is not ingested without its row


def test_a_manifest_file_outside_its_folder_is_the_rows_error(tmp_path):
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text(TEXT, encoding="utf-8")
    (folder / "sub" / "inside.txt").write_text(TEXT, encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "inner-link.txt").symlink_to(folder / "sub" / "inside.txt")
    _manifest(folder, "up,../secret.txt,,,,2025,", f"abs,{tmp_path / 'secret.txt'},,,,2025,",
              "link,link.txt,,,,2025,", "deep,sub/../../secret.txt,,,,2025,",
              "sub,sub/inside.txt,,,,2025,", "inner,inner-link.txt,,,,2025,")
    entries, errors, _ = read_manifest(folder)
    assert sorted(m.id for _, m in entries) == ["inner", "sub"]
    assert len(errors) == 4, errors
    for row, error in zip((2, 3, 4, 5), sorted(errors)):
        assert f"manifest.csv:{row}:" in error and "outside the manifest's folder" in error and "\n" not in error
    found, _ = discover([folder])
    assert sorted(m.id for _, m in found if m) == ["inner", "sub"] and all(m for _, m in found)


@pytest.mark.parametrize("header", ["file,title,year", "id,title,year"])
def test_a_manifest_without_its_id_or_file_column_ingests_nothing_from_its_folder(tmp_path, header):
    from kg.parallel import iter_found

    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(f"{header}\na.txt,标题,2025\n", encoding="utf-8")
    found, errors = discover([tmp_path])
    assert found == [] and len(errors) == 1 and "missing column" in errors[0]
    errors = []
    assert list(iter_found([tmp_path], errors)) == [] and len(errors) == 1 and "missing column" in errors[0]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
@pytest.mark.parametrize("where", ["first", "middle", "end"])
def test_a_nul_anywhere_makes_a_file_binary_in_every_encoding(tmp_path, encoding, where):
    text = TEXT + "\n" + "全年办理案件12件。\n" * 600  # longer than the first 4 KB looked at
    middle = len(text) // 2
    text = {"first": "\x00" + text, "middle": text[:middle] + "\x00" + text[middle:], "end": text + "\x00"}[where]
    path = tmp_path / "nul.txt"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(ReadError, match=r"nul.txt: binary file, not a text report \(a NUL byte at"):
        read_report(path, ReportMeta(id="nul", year=2025))


def test_a_fifo_is_refused_without_blocking(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(ReadError, read_report, fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert outcome and "not a regular file (a FIFO)" in str(outcome[0].value)


def test_a_file_given_by_path_whose_manifest_row_is_bad_is_not_ingested_without_it(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    _manifest(tmp_path, "a,a.txt,,,,2025,javascript:alert(1)", "b,b.txt,,,,2025,https://example.org/b")
    found, errors = discover([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert [(p.name, m.url) for p, m in found] == [("b.txt", "https://example.org/b")]
    assert len(errors) == 1 and "manifest.csv:2" in errors[0] and "javascript:alert(1)" in errors[0]
