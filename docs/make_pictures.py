"""Make the README's pictures again: an entity page as a browser shows it, and a Gephi-like
rendering of the corpus export.

    .venv/bin/python docs/make_pictures.py            # writes docs/entity-page.png, docs/corpus-network.png

The examples (and the shared corpus, ../shared/corpus, when it is there) are ingested into a
temporary store; the app is served by uvicorn and headless Chromium (/usr/bin/chromium)
screenshots the agency page of 光明区政务服务和数据管理局 (or, without the shared corpus, of
海滨区司法局); the export's network (kg.export.build_network) is drawn by api.svg.overview_svg
(ForceAtlas2, the Gephi export's colours and sizes) and screenshotted too. Chinese text needs a
CJK font (apt-get install fonts-wqy-microhei). Run it when the pages change.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "docs"


def screenshot(url: str, path: Path, width: int, height: int) -> None:
    subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={path}", url],
                   check=True, capture_output=True, timeout=120)


def shrink(path: Path, colours: int = 128) -> None:
    """Fewer colours (PIL, when installed): the PNGs stay small in the repository."""
    try:
        from PIL import Image
    except ImportError:
        return
    Image.open(path).convert("RGB").quantize(colours).save(path, optimize=True)


def main() -> int:
    import socket

    import uvicorn

    from api.app import create_app
    from api.svg import overview_svg
    from kg.export import build_network
    from kg.ingest import ingest_paths
    from kg.store import EmbeddedStore
    from kg.graph.vocab import entity_iri

    shared = SHARED_CORPUS.exists()
    folder = Path(tempfile.mkdtemp(prefix="kg-pictures-"))
    store = EmbeddedStore(folder / "store")
    summary = ingest_paths([ROOT / "examples"] + ([SHARED_CORPUS] if shared else []), store)
    for outcome in summary.outcomes:
        if outcome.error:
            print(outcome.error, file=sys.stderr)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        agency = entity_iri("agency", "光明区政务服务和数据管理局" if shared else "海滨区司法局")
        page = f"http://127.0.0.1:{port}/id/{str(agency).split('/id/', 1)[1]}?lang=en"
        screenshot(page, OUT / "entity-page.png", 1100, 1500)
        svg = folder / "corpus-network.html"
        svg.write_text('<!doctype html><meta charset="utf-8"><body style="margin:0">'
                       + overview_svg(build_network(store)) + "</body>", encoding="utf-8")
        screenshot(svg.as_uri(), OUT / "corpus-network.png", 1200, 900)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
    for name in ("entity-page.png", "corpus-network.png"):
        shrink(OUT / name)
        print(f"{OUT / name}: {(OUT / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
