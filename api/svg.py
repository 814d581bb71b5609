"""SVG pictures drawn on the server, for pages that must work offline under a strict
Content-Security-Policy: no script, no ``style`` attribute (colours are presentation
attributes), every node a link.

:func:`network_svg` draws a small network from a networkx layout (nodes coloured by kind as in
the Gephi export, kg.export.KIND_COLORS); :func:`bar_rows_svg` draws rows of labelled
horizontal bars (one row group per year, one bar per region …); :func:`series_svg` draws
paired bars per year (a target and its result). :func:`kind_of` tells a node's kind from its
minted IRI (``id:agency/…`` is an agency).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import networkx as nx

from kg.export import KIND_COLORS
from kg.graph.vocab import ID

OTHER_COLOR = "#7f7f7f"
LABEL_MAX = 14  # characters of a node's label under its dot
_KIND_BY_PATH = {"agency": "agency", "region": "region", "document": "document", "initiative": "initiative",
                 "organisation": "organisation", "organization": "organisation"}
_KIND_BY_FACT = {"target": "target", "metric": "metric", "sentence": "sentence"}


def kind_of(iri: str) -> str:
    """The kind of a policy-kg node from its IRI: agency, region, document, initiative, target,
    metric, sentence; ``other`` for anything else."""
    if not iri.startswith(str(ID)):
        return "other"
    parts = iri[len(str(ID)):].split("/")
    if parts[0] in _KIND_BY_PATH:
        return _KIND_BY_PATH[parts[0]]
    if parts[0] == "report" and len(parts) >= 3:
        return _KIND_BY_FACT.get(parts[2], "other")
    return "other"


def color_of(kind: str) -> str:
    return KIND_COLORS.get(kind, OTHER_COLOR)


def _short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass
class Node:
    """A node of a picture: its key (the IRI), label, kind and link (None: no link)."""
    key: str
    label: str
    kind: str = "other"
    href: str | None = None
    weight: float = 1.0


@dataclass
class Network:
    """Nodes and labelled edges to draw; ``centre`` is pinned in the middle when given."""
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    centre: str | None = None


def _link(href: str | None, inner: str, title: str) -> str:
    body = f"<title>{escape(title)}</title>{inner}"
    return f'<a href="{escape(href)}">{body}</a>' if href else f"<g>{body}</g>"


def network_svg(net: Network, width: int = 640, height: int = 420, element_id: str = "network") -> str:
    """An SVG of ``net``: a spring layout (seeded: the same picture each time), edges with their
    relation as a tooltip, nodes as coloured dots with their label, each a link to its page."""
    if not net.nodes:
        return ""
    graph = nx.Graph()
    graph.add_nodes_from(n.key for n in net.nodes)
    graph.add_edges_from((a, b) for a, b, _ in net.edges if a in graph and b in graph)
    fixed = [net.centre] if net.centre in graph else None
    start = {n: (0.0, 0.0) for n in fixed} if fixed else None
    positions = nx.spring_layout(graph, seed=17, pos=start, fixed=fixed, k=1.2 / max(len(graph), 1) ** 0.5) \
        if len(graph) > 1 else {net.nodes[0].key: (0.0, 0.0)}
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    margin_x, margin_y = 70, 30

    def scale(value: float, low: float, high: float, size: int, margin: int) -> float:
        return size / 2 if high - low < 1e-9 else margin + (value - low) / (high - low) * (size - 2 * margin)

    at = {k: (scale(p[0], min(xs), max(xs), width, margin_x), scale(p[1], min(ys), max(ys), height, margin_y))
          for k, p in positions.items()}
    lines = []
    for a, b, relation in net.edges:
        if a in at and b in at:
            (x1, y1), (x2, y2) = at[a], at[b]
            lines.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#bbb" '
                         f'stroke-width="1.2"><title>{escape(relation)}</title></line>')
    dots = []
    for node in net.nodes:
        x, y = at[node.key]
        radius = 11 if node.key == net.centre else 7
        inner = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{color_of(node.kind)}" '
                 f'stroke="#fff" stroke-width="1.5"/>'
                 f'<text x="{x:.1f}" y="{y + radius + 12:.1f}" text-anchor="middle" font-size="11" '
                 f'fill="#222">{escape(_short(node.label))}</text>')
        dots.append(f'<g class="node" data-key="{escape(node.key)}" data-kind="{escape(node.kind)}">'
                    f'{_link(node.href, inner, node.label)}</g>')
    return (f'<svg id="{escape(element_id)}" class="picture" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="network" xmlns="http://www.w3.org/2000/svg">'
            + "".join(lines) + "".join(dots) + "</svg>")


def legend_html(kinds: list[str], names: dict[str, str] | None = None) -> str:
    """A legend of the kinds drawn (coloured dots as inline SVG)."""
    items = []
    for kind in dict.fromkeys(kinds):
        items.append(f'<span class="key"><svg width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" '
                     f'r="5" fill="{color_of(kind)}"/></svg> {escape((names or {}).get(kind, kind))}</span>')
    return '<p class="legend">' + " ".join(items) + "</p>"


@dataclass
class Bar:
    """One bar: its label, value, link (None: no link) and an optional tooltip."""
    label: str
    value: float
    href: str | None = None
    note: str = ""
    color: str = "#ff7f0e"
    indent: int = 0  # hierarchy depth of the label (province 0, city 1, district 2)


def bar_rows_svg(groups: list[tuple[str, list[Bar]]], element_id: str = "bars", width: int = 640) -> str:
    """Horizontal bars in groups (a heading row per group, e.g. a year; a bar per region under
    it), scaled to the largest value; each bar a link when it has one."""
    bars = [b for _, group in groups for b in group]
    if not bars:
        return ""
    top = max(b.value for b in bars) or 1
    label_w, row_h, head_h = 220, 20, 24
    y, parts = 6, []
    for heading, group in groups:
        parts.append(f'<text class="group" x="0" y="{y + 15}" font-size="13" font-weight="bold" '
                     f'fill="#222">{escape(heading)}</text>')
        y += head_h
        for bar in group:
            length = max(2.0, (width - label_w - 50) * bar.value / top)
            value = f"{bar.value:g}"
            inner = (f'<text x="{6 + 12 * bar.indent}" y="{y + 14}" font-size="12" fill="#222">'
                     f'{escape(_short(bar.label, 18 - 2 * bar.indent))}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 6}" fill="{bar.color}"/>'
                     f'<text x="{label_w + length + 4:.1f}" y="{y + 14}" font-size="11" fill="#444">{value}</text>')
            parts.append(f'<g class="bar" data-label="{escape(bar.label)}" data-value="{value}">'
                         f'{_link(bar.href, inner, bar.label + (" — " + bar.note if bar.note else ""))}</g>')
            y += row_h
    return (f'<svg id="{escape(element_id)}" class="picture" viewBox="0 0 {width} {y + 6}" width="100%" '
            f'role="img" aria-label="bar chart" xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>")


@dataclass
class Point:
    """A year of a series: the target's value and the result's (None where there is none)."""
    year: int
    target: float | None = None
    result: float | None = None
    target_href: str | None = None
    result_href: str | None = None


TARGET_COLOR, RESULT_COLOR = KIND_COLORS["target"], KIND_COLORS["metric"]


def series_svg(title: str, unit: str, points: list[Point], element_id: str, width: int = 320,
               height: int = 160) -> str:
    """A small chart of one indicator over the years: per year a target bar (outlined) beside
    the result bar (filled), each a link to its fact, the value written above it."""
    values = [v for p in points for v in (p.target, p.result) if v is not None]
    if not values:
        return ""
    top = max(values) or 1
    base_y, plot_h = height - 22, height - 56
    slot = (width - 20) / max(len(points), 1)
    parts = [f'<text x="0" y="14" font-size="12" font-weight="bold" fill="#222">{escape(_short(title, 24))}'
             f' ({escape(unit)})</text>',
             f'<line x1="10" y1="{base_y}" x2="{width - 10}" y2="{base_y}" stroke="#999"/>']
    for i, point in enumerate(sorted(points, key=lambda p: p.year)):
        x = 10 + i * slot + slot / 2
        bar_w = min(28, slot / 3)
        for offset, value, href, kind, fill in ((-bar_w, point.target, point.target_href, "target", "#fff"),
                                                (0, point.result, point.result_href, "result", RESULT_COLOR)):
            if value is None:
                continue
            h = max(1.0, plot_h * value / top)
            inner = (f'<rect x="{x + offset:.1f}" y="{base_y - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                     f'fill="{fill}" stroke="{TARGET_COLOR if kind == "target" else RESULT_COLOR}" stroke-width="2"/>'
                     f'<text x="{x + offset + bar_w / 2:.1f}" y="{base_y - h - 3:.1f}" text-anchor="middle" '
                     f'font-size="10" fill="#444">{value:g}</text>')
            parts.append(f'<g class="bar {kind}" data-year="{point.year}" data-value="{value:g}">'
                         f'{_link(href, inner, f"{kind} {point.year}: {value:g} {unit}")}</g>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" fill="#222">'
                     f'{point.year}</text>')
    return (f'<svg id="{escape(element_id)}" class="picture series" viewBox="0 0 {width} {height}" '
            f'width="{width}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            + "".join(parts) + "</svg>")


def favicon_png(color: str = KIND_COLORS["document"], size: int = 16) -> bytes:
    """A small PNG (a dot in ``color``) for ``/favicon.ico``: browsers ask for it, and a 404
    would be an error in their console."""
    import struct
    import zlib

    rgb = bytes(int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    half = (size - 1) / 2
    rows = b"".join(b"\x00" + b"".join(rgb + (b"\xff" if (x - half) ** 2 + (y - half) ** 2 <= half ** 2 else b"\x00")
                                         for x in range(size)) for y in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def overview_svg(graph: nx.Graph, width: int = 1200, height: int = 900, labelled: int = 40,
                 element_id: str = "overview") -> str:
    """A Gephi-like picture of a whole export (kg.export.build_network): its largest connected
    part in a force-directed layout (seeded), nodes sized and coloured by their ``size`` and
    ``color`` attributes (as Gephi reads them), thin straight edges, the labels of the
    ``labelled`` biggest nodes."""
    if graph.number_of_nodes() == 0:
        return ""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((a, b) for a, b in graph.edges() if a != b)
    if simple.number_of_edges():  # the connected part: isolated nodes would shrink it to a dot
        simple = simple.subgraph(max(nx.connected_components(simple), key=len)).copy()
    positions = nx.spring_layout(simple, k=2.0 / max(simple.number_of_nodes(), 1) ** 0.5, iterations=300, seed=17)
    graph = graph.subgraph(simple.nodes)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    margin_x, margin_y = 110, 40  # room for the labels

    def at(key):
        x, y = positions[key]
        span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        return (margin_x + (x - min(xs)) / span_x * (width - 2 * margin_x),
                margin_y + (y - min(ys)) / span_y * (height - 2 * margin_y))

    parts = [f'<rect width="{width}" height="{height}" fill="#fff"/>']
    for a, b in simple.edges():
        (x1, y1), (x2, y2) = at(a), at(b)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#ccc" '
                     f'stroke-width="0.6"/>')
    by_size = sorted(graph.nodes, key=lambda n: -float(graph.nodes[n].get("size") or 5))
    for key in reversed(by_size):
        data = graph.nodes[key]
        x, y = at(key)
        radius = max(2.0, float(data.get("size") or 5) / 2.5)
        parts.append(f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                     f'fill="{escape(str(data.get("color") or OTHER_COLOR))}" stroke="#fff" stroke-width="0.8">'
                     f'<title>{escape(str(data.get("label", "")))}</title></circle>')
    for key in by_size[:labelled]:
        data = graph.nodes[key]
        x, y = at(key)
        radius = max(2.0, float(data.get("size") or 5) / 2.5)
        parts.append(f'<text x="{x:.1f}" y="{y - radius - 3:.1f}" text-anchor="middle" font-size="12" '
                     f'fill="#222">{escape(_short(str(data.get("label", "")), 16))}</text>')
    return (f'<svg id="{escape(element_id)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>")
