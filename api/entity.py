"""The sections of an entity's page (agency, organisation, document, initiative, region) that
show the entity before its property tables: a summary in words, its neighbourhood as a network
picture, a document's reach (bodies by region and year), a body's commitments over time, and
the facts about it grouped by kind with their evidence sentences quoted.

Each section is an async function ``(Context) -> str`` (HTML, empty when it has nothing to
say); :data:`SECTIONS` lists them by kind, in page order, so another section (e.g. the
commitments matching of issue 15) is one more entry. Pictures are capped (NETWORK_MAX nodes,
FACTS_MAX facts per kind) and end with an "and N more" link to the editor holding the query
that lists them all. Every name shown is a label (kg labels, else the text span of a fact).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Awaitable, Callable
from urllib.parse import quote

from rdflib import URIRef

from api.lookups import curie, pick_label, vocabulary_label
from api.svg import (Bar, Network, Node, Point, bar_rows_svg, color_of, kind_of, legend_html, network_svg,
                     series_svg)
from kg.graph.vocab import ACTION, ID, PKG, PREFIXES

Select = Callable[[str], Awaitable[list[dict[str, str]]]]
NETWORK_MAX = 24  # neighbours drawn; the rest are "and N more"
REPORTS_READ = 3  # reports by a body whose mentions join its neighbourhood
LABELLED_MAX = 60  # neighbours labelled (the picture's and the summary's)
LABELS_READ = 6
AMONG_READ = 20  # links read per drawn neighbour and property, for the edges between them  # label triples read per node
SCAN_MAX = 200  # triples a page reads per way of being linked: a node in 10k reports stays fast
FACTS_MAX = 10  # facts listed per kind
FEW_NEIGHBOURS = 4  # at most this many: the summary names each neighbour with its ties
ORG = PREFIXES["org"]
ENTITY_TYPES = {str(PKG.Agency): "agency", ORG + "Organization": "organisation", str(PKG.Region): "region",
                str(PKG.Document): "document", str(PKG.Initiative): "initiative"}
STRUCTURAL = {str(PKG.jurisdiction), str(PKG.partOf), ORG + "subOrganizationOf", "^" + str(PKG.partOf),
              "^" + ORG + "subOrganizationOf"}
FACT_KINDS = {  # fact type -> the properties that link such a fact to the entity
    "Action": ("prov:wasAssociatedWith", "prov:used"), "Commitment": ("prov:wasAttributedTo", "dcterms:references"),
    "Target": ("prov:wasAttributedTo",), "Metric": ("prov:wasAttributedTo",), "Initiative": ("prov:wasAttributedTo",),
    "Mention": ("pkg:refersTo",),
}
# Query shapes that stay fast on a node stated in 10k graphs (Oxigraph): each way of being linked
# is a plain triple pattern (no property path) in a subquery with a LIMIT; what is looked up for
# the rows it finds is OPTIONAL at the top, one per property (read per row; an OPTIONAL nested in
# another is joined over the whole store first); no ORDER BY, DISTINCT or GROUP BY over them
# (each makes the engine read everything first): rows are counted and sorted in Python.
WORDS = {
    "en": {"Action": "Actions", "Commitment": "Plans", "Target": "Targets", "Metric": "Results",
           "Initiative": "Initiatives", "Mention": "Mentions", "neighbourhood": "Neighbourhood",
           "facts": "Facts", "reach": "Reach: who implemented, cited or planned it",
           "commitments": "Commitments over time", "more": "and {n} more", "cites": "cites",
           "mentions": "mentions", "in": "in", "part of": "part of", "bodies": "bodies",
           "reports": "reports", "unknown region": "(region unknown)", "unmatched": "Targets and results without a counterpart",
           "target": "target", "result": "result", "agency": "agency", "organisation": "organisation",
           "region": "region", "document": "document", "initiative": "initiative", "other": "other",
           "more-facts": "and {n} more (all in the editor)"},
    "zh": {"Action": "行动", "Commitment": "计划", "Target": "目标", "Metric": "成效指标",
           "Initiative": "工作举措", "Mention": "提及", "neighbourhood": "关联网络", "facts": "事实",
           "reach": "影响范围：哪些机关贯彻、援引或计划", "commitments": "历年目标与成效",
           "more": "另有 {n} 个", "cites": "援引", "mentions": "提及", "in": "位于", "part of": "隶属于",
           "bodies": "个机关", "reports": "份报告", "unknown region": "（地区不详）",
           "unmatched": "无对应的目标或成效", "target": "目标", "result": "成效", "agency": "机关",
           "organisation": "组织", "region": "地区", "document": "文件", "initiative": "举措", "other": "其他",
           "more-facts": "另有 {n} 条（在编辑器中查看全部）"},
}


@dataclass
class Context:
    """What a section needs: the store's select, the entity, its kinds, language and base URL;
    ``cache`` shares answers between sections (the neighbourhood feeds the summary)."""
    select: Select
    iri: URIRef
    kinds: list[str]
    lang: str
    base: str
    title: str
    cache: dict = field(default_factory=dict)

    def word(self, key: str, **fmt) -> str:
        return WORDS.get(self.lang, WORDS["en"]).get(key, key).format(**fmt)

    def href(self, iri: str) -> str | None:
        return self.base + "/id/" + iri[len(str(ID)):] if iri.startswith(str(ID)) else None

    def editor(self, query: str, view: str = "table") -> str:
        return f"{self.base}/?query={quote(query)}&view={view}"

    def link(self, iri: str, text: str) -> str:
        href = self.href(iri)
        return f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)


def entity_kinds(type_iris: list[str]) -> list[str]:
    """The entity kinds (agency, document …) among a node's rdf:types."""
    return [ENTITY_TYPES[t] for t in type_iris if t in ENTITY_TYPES]


# Direct links in words, both ways ("^" is the inverse: the neighbour points at the entity).
RELATION_WORDS = {
    "en": {"prov:wasAttributedTo": "run by", "^prov:wasAttributedTo": "runs",
           "org:subOrganizationOf": "part of", "^org:subOrganizationOf": "has units",
           "eli:ensures_implementation_of": "implements", "^eli:ensures_implementation_of": "implemented by",
           "pkg:jurisdiction": "jurisdiction", "^pkg:jurisdiction": "bodies here",
           "pkg:partOf": "part of", "^pkg:partOf": "contains", "eli:passed_by": "passed by", "^eli:passed_by": "passed"},
    "zh": {"prov:wasAttributedTo": "由…推进", "^prov:wasAttributedTo": "推进",
           "org:subOrganizationOf": "隶属于", "^org:subOrganizationOf": "下属机构",
           "eli:ensures_implementation_of": "实施", "^eli:ensures_implementation_of": "被实施于",
           "pkg:jurisdiction": "管辖区域", "^pkg:jurisdiction": "辖区内机关",
           "pkg:partOf": "隶属于", "^pkg:partOf": "下辖", "eli:passed_by": "制定机关", "^eli:passed_by": "制定"},
}


def relation_label(rel: str, ctx: Context) -> str:
    """A relation in words: a direct link (``^`` inverse) by RELATION_WORDS, an action type by its
    concept's label, ``cites``/``mentions`` by WORDS."""
    inverse, iri = (True, rel[1:]) if rel.startswith("^") else (False, rel)
    if iri.startswith("http"):
        short = curie(iri)
        words = RELATION_WORDS.get(ctx.lang, RELATION_WORDS["en"])
        if ("^" if inverse else "") + short in words:
            return words[("^" if inverse else "") + short]
        name = vocabulary_label(iri, ctx.lang) or short
        return ("^" if inverse else "") + name
    return ctx.word(rel)


def capped(variables: str, pattern: str, scan: int | None) -> str:
    """``{ pattern }``, or a subquery reading at most ``scan`` of its answers."""
    if scan is None:
        return f"{{ {pattern} }}"
    return f"{{ SELECT {variables} WHERE {{ {pattern} }} LIMIT {int(scan)} }}"


ENTITY_CHECK = ("FILTER EXISTS {{ GRAPH ?g {{ ?n a ?t }} FILTER(?t IN (pkg:Agency, org:Organization, pkg:Region, "
                "pkg:Document, pkg:Initiative)) }}")
INBOUND = ("pkg:jurisdiction", "pkg:partOf", "org:subOrganizationOf", "eli:ensures_implementation_of",
           "eli:passed_by", "prov:wasAttributedTo")


def neighbour_query(iri: URIRef, scan: int | None = SCAN_MAX) -> str:
    """The entities the entity is linked to directly, both ways (its jurisdiction, the region a
    region is part of, the bodies in a region, the initiatives a body runs …), and what the
    reports it wrote mention (``mentions``: on the page, :func:`mentioned`), with the graph saying
    so. Each way reads at most ``scan`` triples; None: all, with the mentions and the links
    through facts as well (the page takes those from :func:`facts`)."""
    x = iri.n3()
    branches = [f"{{ {capped('?rel ?n ?g', f'GRAPH ?g {{ {x} ?rel ?n }}', scan)} {ENTITY_CHECK} }}"]
    for prop in INBOUND:
        inverse = "^" + PREFIXES[prop.split(":")[0]] + prop.split(":")[1]
        branches.append(f"{{ {capped('?n ?g', f'GRAPH ?g {{ ?n {prop} {x} }}', scan)} {ENTITY_CHECK}"
                        f' BIND("{inverse}" AS ?rel) }}')
    if scan is None:  # the whole list (the editor's "and N more"): the links through facts too
        branches += [
            f'{{ GRAPH ?g {{ ?r dcterms:creator {x} . ?m pkg:refersTo ?n }} BIND("mentions" AS ?rel) }}',
            f"{{ GRAPH ?g {{ ?f prov:wasAssociatedWith {x} ; prov:used ?n ; pkg:actionType ?rel }} }}",
            f"{{ GRAPH ?g {{ ?f prov:used {x} ; prov:wasAssociatedWith ?n ; pkg:actionType ?rel }} }}",
            f'{{ GRAPH ?g {{ ?m pkg:refersTo {x} . ?r a pkg:Report ; dcterms:creator ?n }} BIND("cites" AS ?rel) }}',
            f"{{ GRAPH ?g {{ ?c a pkg:Commitment ; dcterms:references {x} ; prov:wasAttributedTo ?n }}"
            " BIND(action:plan AS ?rel) }",
        ]
    return "SELECT ?n ?rel ?g WHERE {\n  " + "\n  UNION ".join(branches) + f"\n  FILTER(BOUND(?n) && ?n != {x})\n}}"


LINKS = ("prov:wasAssociatedWith", "prov:used", "prov:wasAttributedTo", "pkg:refersTo", "dcterms:references")


def facts_query(iri: URIRef, scan: int | None = SCAN_MAX) -> str:
    """The facts about the entity — read through each property that links a fact to it, at
    most ``scan`` a property (None: all) — with their kind, year, evidence sentence, the other
    party (the document of an action about a body, the body of one about a document), the
    action type, the quantity of targets and metrics (the report's author and year:
    :func:`reports_of`)."""
    x = iri.n3()
    union = "\n  UNION ".join(f'{{ {capped("?f ?g", f"GRAPH ?g {{ ?f {link} {x} }}", scan)} BIND("{link}" AS ?link) }}'
                              for link in LINKS)
    return f"""SELECT ?link ?f ?g ?kind ?year ?other ?evidence ?text ?atype ?indicator ?unit ?value WHERE {{
  {union}
  OPTIONAL {{ GRAPH ?g {{ ?f a ?kind }} FILTER(STRSTARTS(STR(?kind), STR(pkg:))) }}
  OPTIONAL {{ GRAPH ?g {{ ?f pkg:year ?year }} }}
  OPTIONAL {{ GRAPH ?g {{ ?f prov:used|prov:wasAssociatedWith|prov:wasAttributedTo|dcterms:references ?other }}
             FILTER(?other != {x}) }}
  OPTIONAL {{ GRAPH ?g {{ ?f pkg:evidence ?evidence . ?evidence nif:anchorOf ?text }} }}
  OPTIONAL {{ GRAPH ?g {{ ?f pkg:actionType ?atype }} }}
  OPTIONAL {{ GRAPH ?g {{ ?f pkg:indicator ?indicator }} }} OPTIONAL {{ GRAPH ?g {{ ?f pkg:unit ?unit }} }}
  OPTIONAL {{ GRAPH ?g {{ ?f pkg:value ?value }} }}
}}"""


@dataclass
class Facts:
    """The facts read about an entity: rows by kind (one per fact), and the kinds whose count
    is a lower bound (a link read hit its cap)."""
    by_kind: dict[str, list[dict[str, str]]]
    partial: set[str]

    def count(self, kind: str) -> str:
        n = len(self.by_kind.get(kind, []))
        return f"{n}+" if kind in self.partial else str(n)


async def reports_of(select: Select, graphs: set[str]) -> dict[str, dict[str, str]]:
    """The author (``creator``) and year (``ryear``) of the report of each graph."""
    if not graphs:
        return {}
    reports = {str(ID) + "report/" + g.split("/id/graph/", 1)[-1]: g for g in graphs}
    keys = " ".join(URIRef(r).n3() for r in reports)
    rows = await select(f"""SELECT ?r ?creator ?ryear WHERE {{ VALUES ?r {{ {keys} }}
        OPTIONAL {{ GRAPH ?g {{ ?r dcterms:creator ?creator }} }} OPTIONAL {{ GRAPH ?h {{ ?r pkg:year ?ryear }} }} }}""")
    return {reports[r["r"]]: {k: r[k] for k in ("creator", "ryear") if r.get(k)} for r in rows}


async def facts(ctx: Context) -> Facts:
    if "facts" not in ctx.cache:
        rows = await ctx.select(facts_query(ctx.iri))
        per_link: dict[str, int] = defaultdict(int)
        by_kind: dict[str, dict[str, dict]] = defaultdict(dict)
        kinds_of_link: dict[str, set] = defaultdict(set)
        for row in rows:
            per_link[row["link"]] += 1
            kind = row.get("kind", "")[len(str(PKG)):]
            if kind in FACT_KINDS:
                by_kind[kind].setdefault(row["f"], row)
                kinds_of_link[row["link"]].add(kind)
        partial = {k for link, n in per_link.items() if n >= SCAN_MAX for k in kinds_of_link[link]}
        written = await reports_of(ctx.select, {r["g"] for r in by_kind.get("Mention", {}).values()})
        for row in by_kind.get("Mention", {}).values():
            row.update(written.get(row["g"], {}))
        ctx.cache["facts"] = Facts({k: list(v.values()) for k, v in by_kind.items()}, partial)
    return ctx.cache["facts"]


async def mentioned(select: Select, iri: URIRef) -> list[dict[str, str]]:
    """What the reports written by the entity mention (at most REPORTS_READ of its reports)."""
    reports = await select(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?r dcterms:creator {iri.n3()} }} }} LIMIT {REPORTS_READ}")
    if not reports:
        return []
    keys = " ".join(URIRef(r["g"]).n3() for r in reports)
    rows = await select(f"SELECT ?n ?g WHERE {{ VALUES ?g {{ {keys} }} GRAPH ?g {{ ?m pkg:refersTo ?n }} }}")
    return [{"n": r["n"], "g": r["g"], "rel": "mentions"} for r in rows if r["n"] != str(iri)]


async def neighbours(ctx: Context) -> list[dict]:
    """The neighbours, structural links first, then the strongest: [{iri, label, kind,
    relations {rel: graphs}, weight}] — direct links, and through the facts: the documents a
    body acted on (by action type), the bodies that acted on, cited (``cites``) or planned a
    document."""
    if "neighbours" not in ctx.cache:
        rows = await ctx.select(neighbour_query(ctx.iri)) + await mentioned(ctx.select, ctx.iri)
        graphs: dict[tuple[str, str], set] = defaultdict(set)
        for row in rows:
            graphs[(row["n"], row["rel"])].add(row["g"])
        for kind, items in (await facts(ctx)).by_kind.items():
            for row in items:
                graph = row["f"].split("/report/", 1)[-1].split("/", 1)[0]
                if kind == "Action" and row.get("other") and row.get("atype"):
                    graphs[(row["other"], row["atype"])].add(graph)
                elif kind == "Commitment" and row.get("other"):
                    graphs[(row["other"], str(ACTION.plan))].add(graph)
                elif kind == "Mention" and row.get("creator") and row["creator"] != str(ctx.iri):
                    graphs[(row["creator"], "cites")].add(graph)
        found: dict[str, dict] = {}
        for (n, rel), said_in in graphs.items():
            if not n.startswith(str(ID)) or "/report/" in n:
                continue
            item = found.setdefault(n, {"iri": n, "kind": kind_of(n), "relations": {}, "weight": 0})
            item["relations"][rel] = len(said_in)
            item["weight"] += len(said_in)
        # where it is and what it belongs to first (a jurisdiction is named once, mentions many times)
        ordered = sorted(found.values(), key=lambda i: (not STRUCTURAL & set(i["relations"]), -i["weight"], i["iri"]))
        labels = await few_labels(ctx.select, [i["iri"] for i in ordered[:LABELLED_MAX]], ctx.lang)
        for item in ordered:
            item["label"] = labels.get(item["iri"], "")
        agencies = " ".join(URIRef(i["iri"]).n3() for i in ordered[:NETWORK_MAX] if i["kind"] == "agency")
        if agencies:  # companies, exchanges …: org:Organization, minted under id:agency/ too
            organisations = {r["n"] for r in await ctx.select(f"""SELECT ?n WHERE {{ VALUES ?n {{ {agencies} }}
                FILTER EXISTS {{ GRAPH ?g {{ ?n a org:Organization }} }} }}""")}
            for item in ordered:
                if item["iri"] in organisations:
                    item["kind"] = "organisation"
        ctx.cache["neighbours"] = ordered
    return ctx.cache["neighbours"]


async def few_labels(select: Select, iris: list[str], lang: str) -> dict[str, str]:
    """A label for each IRI as api.lookups.labels_of gives it, reading at most LABELS_READ
    label triples per IRI (a node named in 10k report graphs has 10k copies of its label)."""
    wanted = sorted({i for i in iris if i})
    if not wanted:
        return {}
    union = " UNION ".join(
        f"{{ SELECT ?x ?l WHERE {{ VALUES ?x {{ {URIRef(i).n3()} }} GRAPH ?g {{ ?x rdfs:label|skos:prefLabel|nif:anchorOf ?l }} }}"
        f" LIMIT {LABELS_READ} }}" for i in wanted)
    rows = await select(f"SELECT ?x ?l (LANG(?l) AS ?tag) WHERE {{ {union} }}")
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        found[row["x"]].setdefault(row.get("tag", ""), row["l"])
    out = {}
    for iri in wanted:
        text = pick_label(found.get(iri, {}), lang) or vocabulary_label(iri, lang)
        if text:
            out[iri] = text
    return out


async def summary_section(ctx: Context) -> str:
    """One paragraph in words: what the entity did with which documents (by action), where it
    is, what it runs — or, with FEW_NEIGHBOURS or fewer, each neighbour with its ties (a law's
    two implementing bodies: what each did with it) — and how many facts of each kind."""
    near = await neighbours(ctx)
    found = await facts(ctx)
    phrases = []
    by_relation: dict[str, list[dict]] = defaultdict(list)
    for item in near:
        for rel in item["relations"]:
            by_relation[rel].append(item)
    labelled_near = [i for i in near if i["label"]]
    if 0 < len(labelled_near) <= FEW_NEIGHBOURS:  # few neighbours, many ties: each named once
        for item in labelled_near:
            phrases.append(ctx.link(item["iri"], item["label"]) + " ("
                           + ", ".join(escape(relation_label(r, ctx)) for r in item["relations"]) + ")")
        by_relation = {}
    for rel, items in sorted(by_relation.items(), key=lambda kv: -len(kv[1])):
        name = relation_label(rel, ctx)
        labelled = [i for i in items if i["label"]]
        if not labelled:
            continue
        if len(items) <= 2:
            phrases.append(f"{escape(name)} " + ", ".join(ctx.link(i["iri"], i["label"]) for i in labelled))
        else:
            kinds = defaultdict(int)
            for i in items:
                kinds[i["kind"]] += 1
            phrases.append(f"{escape(name)} " + ", ".join(f"{n} {escape(ctx.word(k))}" for k, n in kinds.items())
                           + " (" + ", ".join(ctx.link(i["iri"], i["label"]) for i in labelled[:2]) + " …)")
    for kind in ("Target", "Metric", "Commitment", "Mention"):
        if found.by_kind.get(kind):
            phrases.append(f"{found.count(kind)} {escape(ctx.word(kind))}")
    text = "; ".join(phrases) or "—"
    return f'<p id="summary" class="summary"><strong>{escape(ctx.title)}</strong> — {text}.</p>\n'


async def network_section(ctx: Context) -> str:
    """The neighbourhood as an SVG network (the entity in the middle, NETWORK_MAX neighbours,
    edges between them where the graph links them), with a legend and "and N more"."""
    near = [i for i in await neighbours(ctx) if i["label"]]
    if not near:
        return ""
    shown = near[:NETWORK_MAX]
    centre_kind = ctx.kinds[0] if ctx.kinds else kind_of(str(ctx.iri))
    net = Network(centre=str(ctx.iri), nodes=[Node(str(ctx.iri), ctx.title, centre_kind, None)])
    for item in shown:
        net.nodes.append(Node(item["iri"], item["label"], item["kind"], ctx.href(item["iri"])))
        net.edges.append((str(ctx.iri), item["iri"],
                          ", ".join(relation_label(r, ctx) for r in item["relations"])))
    shown_keys = {i["iri"] for i in shown}
    among = await ctx.select("SELECT ?a ?b WHERE { " + " UNION ".join(
        f"{{ SELECT ?a ?b WHERE {{ VALUES ?a {{ {URIRef(i['iri']).n3()} }} GRAPH ?g {{ ?a {prop} ?b }} }} LIMIT {AMONG_READ} }}"
        for i in shown for prop in ("pkg:jurisdiction", "pkg:partOf", "org:subOrganizationOf")) + " }")
    net.edges += sorted({(r["a"], r["b"], "") for r in among if r["b"] in shown_keys and r["a"] != r["b"]})
    more = ""
    if len(near) > len(shown):
        query = neighbour_query(ctx.iri, scan=None)
        more = (f'<p class="more"><a id="network-more" href="{escape(ctx.editor(query, "table"))}">'
                f'{escape(ctx.word("more", n=len(near) - len(shown)))}</a></p>')
    return (f'<h2>{escape(ctx.word("neighbourhood"))}</h2>\n'
            + legend_html([centre_kind] + [i["kind"] for i in shown], WORDS.get(ctx.lang, WORDS["en"]))
            + network_svg(net) + more + "\n")


def latest_first(rows: list[dict[str, str]], limit: int) -> list[dict[str, str]]:
    """Latest year first, then by IRI; at most ``limit``."""
    return sorted(rows, key=lambda r: (-int(r.get("year") or r.get("ryear") or 0), r["f"]))[:limit]


async def facts_section(ctx: Context) -> str:
    """The facts about the entity grouped by kind: each fact titled by its label or text span
    (a link to its page), with its year, the other party, and its evidence sentence quoted;
    FACTS_MAX a kind, then "and N more" (the editor, with the query that lists them all)."""
    found = await facts(ctx)
    blocks = []
    for kind in FACT_KINDS:
        every = found.by_kind.get(kind, [])
        if not every:
            continue
        rows = latest_first(every, FACTS_MAX)
        labels = await few_labels(ctx.select, [r["f"] for r in rows] + [r.get("other", "") for r in rows], ctx.lang)
        items = []
        for r in rows:
            title = labels.get(r["f"]) or r.get("indicator") or kind
            other = ctx.link(r["other"], labels[r["other"]]) if labels.get(r.get("other", "")) else ""
            year = r.get("year") or r.get("ryear")
            year_html = f' <span class="year">{escape(year)}</span>' if year else ""
            quote_html = (f'<blockquote class="evidence"><a href="{escape(ctx.href(r["evidence"]) or "")}">'
                          f'“{escape(r["text"])}”</a></blockquote>') if r.get("text") else ""
            items.append(f'<li class="fact">{ctx.link(r["f"], title)}{year_html}'
                         f'{" · " + other if other else ""}{quote_html}</li>')
        more = ""
        if len(every) > len(rows) or kind in found.partial:
            hidden = f"{len(every) - len(rows)}" + ("+" if kind in found.partial else "")
            full = facts_query(ctx.iri, None).replace("WHERE {", f"WHERE {{ FILTER(?kind = pkg:{kind})", 1)
            more = (f'<p class="more"><a href="{escape(ctx.editor(full))}">'
                    f'{escape(ctx.word("more-facts", n=hidden))}</a></p>')
        blocks.append(f'<h3 id="facts-{kind.lower()}">{escape(ctx.word(kind))} ({found.count(kind)})</h3>\n'
                      f'<ul class="facts">{"".join(items)}</ul>{more}')
    return (f'<h2>{escape(ctx.word("facts"))}</h2>\n' + "\n".join(blocks) + "\n") if blocks else ""


async def reach_rows(ctx: Context) -> list[dict[str, str]]:
    """Who did what with a document and when, from the facts about it: (body, rel, year) —
    actions by their type, ``cites`` for a report by the body that mentions it, plan for a
    commitment that references it."""
    found = await facts(ctx)
    rows = []
    for r in found.by_kind.get("Action", []):
        if r["link"] == "prov:used" and r.get("other") and r.get("atype") and r.get("year"):
            rows.append({"body": r["other"], "rel": r["atype"], "year": r["year"]})
    for r in found.by_kind.get("Mention", []):
        if r.get("creator") and r.get("ryear"):
            rows.append({"body": r["creator"], "rel": "cites", "year": r["ryear"]})
    for r in found.by_kind.get("Commitment", []):
        if r["link"] == "dcterms:references" and r.get("other") and r.get("year"):
            rows.append({"body": r["other"], "rel": str(ACTION.plan), "year": r["year"]})
    return rows


async def region_paths(select: Select, bodies: list[str]) -> dict[str, list[str]]:
    """Each body's region as a path from the top (province → city → district), as far as the
    graph knows pkg:partOf; a body without a jurisdiction has no entry."""
    if not bodies:
        return {}
    found = await select(f"""SELECT DISTINCT ?body ?region WHERE {{ VALUES ?body {{ {" ".join(URIRef(b).n3() for b in bodies)} }}
        GRAPH ?g {{ ?body pkg:jurisdiction ?region }} }}""")
    region_of = {}
    for r in found:
        region_of.setdefault(r["body"], r["region"])
    parent: dict[str, str] = {}
    frontier = set(region_of.values())
    for _ in range(4):  # district → city → province → (country)
        if not frontier:
            break
        rows = await select(f"""SELECT DISTINCT ?r ?p WHERE {{ VALUES ?r {{ {" ".join(URIRef(r).n3() for r in frontier)} }}
            GRAPH ?g {{ ?r pkg:partOf ?p }} }}""")
        frontier = set()
        for row in rows:
            if row["r"] not in parent and row["p"] != row["r"]:
                parent[row["r"]] = row["p"]
                frontier.add(row["p"])
    paths = {}
    for body, region in region_of.items():
        path, node = [region], region
        while node in parent and parent[node] not in path:
            node = parent[node]
            path.insert(0, node)
        paths[body] = path
    return paths


async def reach_section(ctx: Context) -> str:
    """A document's reach: per year (a row group), a bar per region with the number of bodies
    that implemented, cited or planned it there, regions nested province → city → district
    (an ancestor's bar counts its subtree's bodies), each bar a link to the region."""
    rows = await reach_rows(ctx)
    if not rows:
        return ""
    bodies = sorted({r["body"] for r in rows})
    paths = await region_paths(ctx.select, bodies)
    labels = await few_labels(ctx.select, bodies + [n for p in paths.values() for n in p], ctx.lang)
    unknown = ctx.word("unknown region")
    by_year: dict[str, dict[tuple, set]] = defaultdict(lambda: defaultdict(set))
    relations: dict[tuple, set] = defaultdict(set)
    for r in rows:
        path = tuple(paths.get(r["body"], [""]))
        for depth in range(1, len(path) + 1):
            by_year[r["year"]][path[:depth]].add(r["body"])
        relations[(r["year"], r["body"])].add(relation_label(r["rel"], ctx))
    groups = []
    for year in sorted(by_year, reverse=True):
        bars = []
        for path in sorted(by_year[year], key=lambda p: [labels.get(n, n) for n in p]):
            region = path[-1]
            names = sorted(labels.get(b, "") for b in by_year[year][path])
            bars.append(Bar(labels.get(region, unknown) if region else unknown, len(by_year[year][path]),
                            ctx.href(region) if region else None, "、".join(names), color_of("agency"),
                            indent=len(path) - 1))
        groups.append((year, bars))
    listing = "".join(
        f'<li>{escape(year)}: {ctx.link(body, labels.get(body, ""))} — {escape("、".join(sorted(rels)))}</li>'
        for (year, body), rels in sorted(relations.items(), key=lambda kv: (kv[0][0], labels.get(kv[0][1], "")),
                                         reverse=False) if labels.get(body))
    return (f'<h2>{escape(ctx.word("reach"))}</h2>\n' + bar_rows_svg(groups, element_id="reach")
            + f'<ul id="reach-list">{listing}</ul>\n')


def _number(text: str | None) -> float | None:
    try:
        return float(Decimal(text)) if text not in (None, "") else None
    except InvalidOperation:
        return None


def commitment_pairs(rows: list[dict[str, str]]) -> tuple[dict[tuple[str, str], list[Point]], list[dict]]:
    """Pair targets with results: per (indicator, unit), a Point per year holding the target's
    and the result's value. Returns the series that have a year with both (to chart), and the
    rows of the others (to list)."""
    series: dict[tuple[str, str], dict[int, Point]] = defaultdict(dict)
    members: dict[tuple[str, str], list[dict]] = defaultdict(list)
    complete = [r for r in rows if all(r.get(k) for k in ("indicator", "unit", "year", "value"))]
    for row in sorted(complete, key=lambda r: (r["indicator"], int(r["year"]), r["fact"])):
        key = (" ".join(row["indicator"].split()), row["unit"])
        value, year = _number(row["value"]), int(row["year"])
        point = series[key].setdefault(year, Point(year))
        if row["kind"].endswith("Target") and point.target is None:
            point.target, point.target_href = value, row["fact"]
        elif row["kind"].endswith("Metric") and point.result is None:
            point.result, point.result_href = value, row["fact"]
        members[key].append(row)
    charted, rest = {}, []
    for key, points in series.items():
        if any(p.target is not None and p.result is not None for p in points.values()):
            charted[key] = sorted(points.values(), key=lambda p: p.year)
        else:
            rest += members[key]
    return charted, rest


async def commitments_section(ctx: Context) -> str:
    """A body's targets and results over the years: a small chart per indicator that has a
    year with both, then the list of the others."""
    found = await facts(ctx)  # targets and results attributed to the body (when issue 15's matching
    rows = [{**r, "fact": r["f"]}  # lands, queries/progress.rq's rows can feed commitment_pairs instead)
            for kind in ("Target", "Metric") for r in found.by_kind.get(kind, []) if r["link"] == "prov:wasAttributedTo"]
    if not rows:
        return ""
    charted, rest = commitment_pairs(rows)
    charts = []
    for i, ((indicator, unit), points) in enumerate(sorted(charted.items())):
        for p in points:
            p.target_href = ctx.href(p.target_href) if p.target_href else None
            p.result_href = ctx.href(p.result_href) if p.result_href else None
        charts.append(series_svg(indicator, unit, points, element_id=f"series-{i}"))
    items = "".join(
        f'<li>{ctx.link(r["fact"], r["indicator"])} {escape(r["year"])}: {escape(r["value"])} {escape(r["unit"])}'
        f' ({escape(ctx.word("target" if r["kind"].endswith("Target") else "result"))})</li>' for r in rest[:50])
    more = f'<li>{escape(ctx.word("more", n=len(rest) - 50))}</li>' if len(rest) > 50 else ""
    key = (f'<p class="legend"><span class="key">▯ {escape(ctx.word("target"))}</span> '
           f'<span class="key">▮ {escape(ctx.word("result"))}</span></p>') if charts else ""
    return (f'<h2 id="commitments">{escape(ctx.word("commitments"))}</h2>\n{key}<div class="series">'
            + "".join(charts) + "</div>"
            + (f'<h3>{escape(ctx.word("unmatched"))}</h3><ul id="unmatched">{items}{more}</ul>' if items else "")
            + "\n")


Section = Callable[[Context], Awaitable[str]]
SECTIONS: dict[str, list[Section]] = {
    "agency": [summary_section, network_section, commitments_section, facts_section],
    "organisation": [summary_section, network_section, commitments_section, facts_section],
    "document": [summary_section, network_section, reach_section, facts_section],
    "initiative": [summary_section, network_section, facts_section],
    "region": [summary_section, network_section, facts_section],
}
PAGE_CSS = """svg.picture{max-width:100%;height:auto;border:1px solid #eee;background:#fcfcfc}#network{max-width:760px}
.summary{font-size:110%}.legend .key{margin-right:1em;white-space:nowrap}.more{margin:.2em 0 1em}
blockquote.evidence{margin:.2em 0 .6em 1em;color:#444;border-left:3px solid #ddd;padding-left:.6em}
.series{display:flex;flex-wrap:wrap;gap:1em}ul.facts{padding-left:1.2em}.year{color:#666}
@media (max-width:600px){body{margin:1em auto}table{font-size:85%}td{word-break:break-all}}"""


async def entity_sections(select: Select, iri: URIRef, type_iris: list[str], lang: str, base: str,
                          title: str) -> str:
    """The HTML of the entity's sections (empty for nodes that are not entities)."""
    kinds = entity_kinds(type_iris)
    if not kinds:
        return ""
    ctx = Context(select, iri, kinds, lang, base, title)
    parts = [await section(ctx) for section in SECTIONS[kinds[0]]]
    return '<div id="entity">\n' + "".join(parts) + "</div>\n"
