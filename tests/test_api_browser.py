"""The editor page in a real headless Chromium: pick a named query, run it, see the rows; a
shared URL (``/?query=``) runs its query, the answer downloads as CSV and JSON, a prefix inserts
on click, and ``/sparql`` opened by the browser is the editor (issue 13, point 10).

Needs /usr/bin/chromium and a driver: Python playwright (driving /usr/bin/chromium), or
selenium with /usr/bin/chromedriver. Skipped, saying which is missing, otherwise — except under
POLICY_KG_REQUIRE_BROWSER=1 (set by .ci/run), where they fail instead.
"""
from __future__ import annotations

import importlib.util
import json
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest

from api.app import create_app

from .api_fixtures import AGENCY, CIVIL_CODE, REGION, TARGET, make_store, serve, write_queries

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def driver_kind() -> str:
    # CI (.ci/run) sets POLICY_KG_REQUIRE_BROWSER=1: there a missing browser fails, never skips.
    missing = pytest.fail if os.environ.get("POLICY_KG_REQUIRE_BROWSER") == "1" else pytest.skip
    if not os.path.exists(CHROMIUM):
        missing(f"no headless browser: {CHROMIUM} is not installed (apt-get install chromium)")
    if importlib.util.find_spec("playwright"):
        return "playwright"
    if importlib.util.find_spec("selenium") and os.path.exists(CHROMEDRIVER):
        return "selenium"
    missing(f"no browser driver: install python playwright, or selenium and {CHROMEDRIVER} "
                "(apt-get install chromium-driver)")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kind = driver_kind()  # skip before starting anything
    store = make_store(tmp_path_factory.mktemp("browser") / "store")
    app = create_app(store, queries_dir=write_queries(tmp_path_factory.mktemp("queries")))
    with serve(app) as url:
        yield kind, url
    store.close()


class Page:
    """The few browser actions the test needs, over playwright or selenium."""

    def __init__(self, kind: str):
        self.kind = kind
        if kind == "playwright":
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=["--no-sandbox"])
            self._page = self._browser.new_page()
            self._console: list[str] = []
            self._page.on("console", lambda m: m.type == "error" and self._console.append(m.text))
            self._page.on("pageerror", lambda e: self._console.append(str(e)))
        else:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service

            options = webdriver.ChromeOptions()
            options.binary_location = CHROMIUM
            self.downloads = tempfile.mkdtemp(prefix="kg-downloads-")
            options.add_experimental_option("prefs", {"download.default_directory": self.downloads,
                                                      "download.prompt_for_download": False})
            for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
                options.add_argument(arg)
            options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console errors, CSP refusals
            self._driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
            self._driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                         {"behavior": "allow", "downloadPath": self.downloads})

    def open(self, url: str) -> None:
        if self.kind == "playwright":
            self._page.goto(url)
        else:
            self._driver.get(url)

    def select(self, css: str, value: str) -> None:
        if self.kind == "playwright":
            self._page.select_option(css, value)
        else:
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support.ui import Select

            Select(self._driver.find_element(By.CSS_SELECTOR, css)).select_by_value(value)

    def fill(self, css: str, text: str) -> None:
        if self.kind == "playwright":
            self._page.fill(css, text)
        else:
            from selenium.webdriver.common.by import By

            element = self._driver.find_element(By.CSS_SELECTOR, css)
            element.clear()
            element.send_keys(text)

    def click(self, css: str) -> None:
        if self.kind == "playwright":
            self._page.click(css)
        else:
            from selenium.webdriver.common.by import By

            self._driver.find_element(By.CSS_SELECTOR, css).click()

    def texts(self, css: str, timeout: float = 10) -> list[str]:
        """The texts of the elements matching ``css``, once there is at least one."""
        if self.kind == "playwright":
            self._page.wait_for_selector(css, timeout=timeout * 1000)
            return self._page.locator(css).all_inner_texts()
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self._driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
        return [e.text for e in self._driver.find_elements(By.CSS_SELECTOR, css)]

    def value(self, css: str) -> str:
        if self.kind == "playwright":
            return self._page.input_value(css)
        from selenium.webdriver.common.by import By

        return self._driver.find_element(By.CSS_SELECTOR, css).get_property("value")

    def url(self) -> str:
        return self._page.url if self.kind == "playwright" else self._driver.current_url

    def attribute(self, css: str, name: str) -> str | None:
        if self.kind == "playwright":
            return self._page.get_attribute(css, name)
        from selenium.webdriver.common.by import By

        return self._driver.find_element(By.CSS_SELECTOR, css).get_attribute(name)

    def downloaded(self, name: str, timeout: float = 10) -> str:
        """The text of a file the page downloaded (selenium: Chrome's download folder)."""
        if self.kind == "playwright":
            pytest.skip("downloads are checked with selenium")
        path = Path(self.downloads) / name
        deadline = time.monotonic() + timeout
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return path.read_text(encoding="utf-8")

    def console_errors(self) -> list[str]:
        """The console's errors since the last call (script errors, CSP refusals, failed loads)."""
        if self.kind == "playwright":
            errors, self._console = self._console, []
            return errors
        return [e["message"] for e in self._driver.get_log("browser") if e["level"] == "SEVERE"]

    def run(self, script: str):
        """Evaluate ``script`` (an expression) in the page and return its value."""
        if self.kind == "playwright":
            return self._page.evaluate(script)
        return self._driver.execute_script("return " + script)

    def size(self, width: int, height: int) -> None:
        if self.kind == "playwright":
            self._page.set_viewport_size({"width": width, "height": height})
        else:  # the viewport itself (a window has a minimum width)
            self._driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == "playwright":
            self._page.screenshot(path=str(path), full_page=True)
        else:
            self._driver.save_screenshot(str(path))

    def close(self) -> None:
        if self.kind == "playwright":
            self._browser.close()
            self._pw.stop()
        else:
            self._driver.quit()


@pytest.fixture
def page(base_url):
    kind, _ = base_url
    page = Page(kind)
    yield page
    page.close()


def test_named_query_results_render(base_url, page):
    _, url = base_url
    page.open(url + "/")
    page.select("#named", "targets")
    assert "pkg:Target" in page.value("#query")  # the editor holds the query text
    page.fill("input[data-param=year]", "2024")
    page.click("#run-named")
    cells = page.texts("#result-table tr.row td")
    assert str(TARGET) in cells and "法治宣传覆盖率" in " ".join(cells)
    assert "1 rows" in page.texts("#status")[0]


def test_editor_runs_sparql(base_url, page):
    _, url = base_url
    page.open(url + "/")
    page.select("#named", "agency_by_name")
    page.click("#run")  # the raw text, with ?name unbound: every agency
    assert page.texts("#result-table tr.row td a") == [str(AGENCY)]
    page.fill("#query", "SELECT * WHERE {")
    page.click("#run")
    assert page.texts("#status.error")[0].startswith("HTTP 400")


def test_editor_links_only_http_iris(base_url, page):
    """Under the page's Content-Security-Policy the editor runs, and an IRI in the results is a
    link only when it is http(s) or ours: a javascript: IRI is shown as text."""
    _, url = base_url
    page.open(url + "/")
    page.fill("#query", "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <https://example.org/a> } }")
    page.click("#run")
    assert page.texts("#result-table tr.row td a") == ["https://example.org/a"]
    assert "javascript:alert(1)" in page.texts("#result-table tr.row td")


AGENCY_QUERY = "SELECT ?a WHERE { GRAPH ?g { ?a a <https://w3id.org/policy-kg/ontology#Agency> } }"


def test_a_shared_url_loads_and_runs_its_query(base_url, page):
    _, url = base_url
    page.open(url + "/?query=" + quote(AGENCY_QUERY))
    assert page.texts("#result-table tr.row td a") == [str(AGENCY)]
    assert page.value("#query") == AGENCY_QUERY
    page.fill("#query", "SELECT ?r WHERE { GRAPH ?g { ?r a <https://w3id.org/policy-kg/ontology#Region> } }")
    page.click("#link")  # the address of what is in the editor now
    shared = page.attribute("#share", "href")
    assert parse_qs(urlparse(shared).query)["query"] == [page.value("#query")]
    assert urlparse(page.url()).query == urlparse(shared).query  # the address bar too
    page.open(shared)
    assert page.texts("#result-table tr.row td a") == [str(REGION)]


def test_answers_download_as_csv_and_json(base_url, page):
    _, url = base_url
    page.open(url + "/?query=" + quote(AGENCY_QUERY))
    page.texts("#result-table tr.row")
    page.click("#download-csv")
    assert page.downloaded("results.csv").split() == ["a", str(AGENCY)]
    page.click("#download-json")
    data = json.loads(page.downloaded("results.json"))
    assert [b["a"]["value"] for b in data["results"]["bindings"]] == [str(AGENCY)]


def test_a_prefix_inserts_on_click(base_url, page):
    _, url = base_url
    page.open(url + "/")
    page.fill("#query", "SELECT * WHERE { ?s a pkg:Agency }")
    page.click("button[data-prefix=pkg]")
    page.click("button[data-prefix=pkg]")  # a second click does not repeat it
    text = page.value("#query")
    assert text.startswith("PREFIX pkg: <https://w3id.org/policy-kg/ontology#>\n") and text.count("PREFIX pkg:") == 1
    page.click("#run")
    assert page.texts("#result-table tr.row td a") == [str(AGENCY)]


def test_the_browser_gets_the_editor_at_sparql(base_url, page):
    _, url = base_url
    page.open(url + "/sparql")
    page.fill("#query", AGENCY_QUERY)
    page.click("#run")
    assert page.texts("#result-table tr.row td a") == [str(AGENCY)]


# ---- pictures (issue 17): entity pages and the editor's views, at a desktop and a phone width

ARTEFACTS = Path(os.environ.get("POLICY_KG_ARTEFACTS", Path(tempfile.gettempdir()) / "policy-kg-screenshots"))
WIDTHS = (1280, 390)
ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = Path(os.environ.get("POLICY_KG_SHARED_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="module")
def corpus_url(tmp_path_factory):
    """A server over the examples and, where it is here, the shared corpus, ingested for real."""
    from kg.ingest import ingest_paths
    from kg.store import EmbeddedStore

    kind = driver_kind()
    store = EmbeddedStore(tmp_path_factory.mktemp("browser-corpus") / "store")
    summary = ingest_paths([ROOT / "examples"] + ([SHARED_CORPUS] if SHARED_CORPUS.exists() else []), store)
    assert not [o.error for o in summary.outcomes if o.error]
    with serve(create_app(store)) as url:
        yield kind, url
    store.close()


def svg_items(page: Page, svg: str, cls: str) -> list[dict]:
    """The nodes or bars of one SVG of the page: their data- attributes and link."""
    return page.run(f"""Array.from(document.querySelectorAll('svg#{svg} g.{cls}')).map((g) => {{
        const a = g.querySelector('a');
        return {{key: g.dataset.key || g.dataset.label || g.dataset.year, value: g.dataset.value || "",
                 href: a ? new URL(a.getAttribute('href'), location.href).href : null,
                 text: (g.querySelector('text') || {{}}).textContent || ""}}; }})""")


def check_usable(page: Page, name: str) -> None:
    """At each width: no console error, nothing wider than the screen, a screenshot kept."""
    for width in WIDTHS:
        page.size(width, 900)
        page.run("window.scrollTo(0, 0) || true")
        assert page.run("document.documentElement.scrollWidth") <= page.run("window.innerWidth") + 1, (name, width)
        assert page.run("Array.from(document.querySelectorAll('svg.picture, #picture svg')).every("
                        "(s) => s.getBoundingClientRect().width <= window.innerWidth)"), (name, width)
        page.screenshot(ARTEFACTS / f"{name}-{width}.png")
    assert page.console_errors() == [], name


def links_resolve(hrefs) -> None:
    import httpx

    for href in sorted({h for h in hrefs if h}):
        assert httpx.get(href, timeout=60).status_code == 200, href


ENTITY_PAGES = {  # kind: (name, a node the neighbourhood must show), in the shared corpus
    "agency": (("agency", "光明区政务服务和数据管理局"), ("region", "光明区")),
    "document": (("document", "政务数据共享条例"), ("agency", "深圳市政务服务和数据管理局")),
    "region": (("region", "光明区"), ("region", "深圳市")),
    "initiative": (("initiative", "深小i"), ("agency", "深圳市政务服务和数据管理局")),
}
EXAMPLE_PAGES = {  # the same from the examples alone (where the shared corpus is not there, as in CI)
    "agency": (("agency", "海滨区司法局"), ("region", "海滨区")),
    "document": (("document", "云溪市数据条例"), ("agency", "海滨区司法局")),
    "region": (("region", "海滨区"), ("region", "云溪市")),
    "initiative": (("initiative", "海滨智调平台"), ("agency", "海滨区司法局")),
}


@pytest.mark.parametrize("kind", list(ENTITY_PAGES))
def test_entity_pages_in_the_browser(corpus_url, page, kind):
    from kg.graph.vocab import entity_iri

    _, url = corpus_url
    shared = SHARED_CORPUS.exists()
    (node_kind, name), (near_kind, near_name) = (ENTITY_PAGES if shared else EXAMPLE_PAGES)[kind]
    iri, near = entity_iri(node_kind, name), entity_iri(near_kind, near_name)
    page.open(url + "/id/" + str(iri).split("/id/", 1)[1])
    assert page.texts("h1") == [name]
    assert name in page.texts("#summary")[0]
    nodes = svg_items(page, "network", "node")
    assert {n["key"] for n in nodes} >= {str(iri), str(near)}
    assert all(n["text"] and not n["text"].startswith("https://") for n in nodes)  # labels, not IRIs
    links_resolve(n["href"] for n in nodes)
    if kind == "document" and shared:
        bars = svg_items(page, "reach", "bar")
        assert [b["key"] for b in bars][:2] == ["深圳市", "光明区"] and bars[0]["value"] == "2"
        links_resolve(b["href"] for b in bars)
    check_usable(page, f"entity-{kind}")


def test_hand_made_agency_page_in_the_browser(base_url, page):
    _, url = base_url
    page.open(url + "/id/" + str(AGENCY).split("/id/", 1)[1])
    assert {n["key"] for n in svg_items(page, "network", "node")} == {str(AGENCY), str(REGION), str(CIVIL_CODE)}
    links_resolve(n["href"] for n in svg_items(page, "network", "node"))
    check_usable(page, "entity-hand-made")


CONSTRUCT_QUERY = ("PREFIX prov: <http://www.w3.org/ns/prov#>\n"
                   "CONSTRUCT { ?agency ?rel ?doc } WHERE { GRAPH ?g { ?a prov:wasAssociatedWith ?agency ; "
                   "prov:used ?doc . BIND(prov:used AS ?rel) } }")
PAIR_QUERY = ("PREFIX prov: <http://www.w3.org/ns/prov#>\n"
              "SELECT ?agency ?doc WHERE { GRAPH ?g { ?a prov:wasAssociatedWith ?agency ; prov:used ?doc } }")
BAR_QUERY = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?label (COUNT(?p) AS ?n) WHERE { GRAPH ?g { ?s rdfs:label ?label ; ?p ?o } } GROUP BY ?label")


@pytest.mark.parametrize("query", [CONSTRUCT_QUERY, PAIR_QUERY], ids=["construct", "select-two-iris"])
def test_editor_network_view(base_url, page, query):
    _, url = base_url
    page.open(url + "/?query=" + quote(query) + "&view=network")
    page.texts("#network g.node")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "北京市司法局" not in [n["text"] for n in svg_items(page, "network", "node")]:
        time.sleep(0.1)  # the labels come from a second query
    nodes = svg_items(page, "network", "node")
    assert sorted(n["text"] for n in nodes) == ["中华人民共和国民法典", "北京市司法局"]
    assert {n["key"] for n in nodes} == {str(AGENCY), str(CIVIL_CODE)}
    links_resolve(n["href"] for n in nodes)
    assert page.value("#view") == "network"
    check_usable(page, "editor-network-" + ("construct" if "CONSTRUCT" in query else "select"))


def test_editor_bar_view_and_the_view_in_the_url(base_url, page):
    _, url = base_url
    page.open(url + "/?query=" + quote(BAR_QUERY))
    page.texts("#result-table tr.row")
    assert page.run("document.querySelectorAll('#picture svg').length") == 0  # the table view by default
    page.select("#view", "bars")
    bars = svg_items(page, "bars", "bar")
    assert {b["key"]: b["value"] for b in bars}["北京市司法局"] == "5"  # its 5 triples in the graph with its label
    assert parse_qs(urlparse(page.url()).query)["view"] == ["bars"]
    page.click("#link")
    shared = page.attribute("#share", "href")
    assert parse_qs(urlparse(shared).query) == {"query": [BAR_QUERY], "view": ["bars"]}
    page.open(shared)
    assert len(page.texts("svg#bars g.bar")) == len(bars)
    check_usable(page, "editor-bars")
