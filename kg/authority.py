"""An optional authority list of laws and regulations (columns of ``cn-laws.csv``).

When loaded it settles a document's full title, level, publication date, entry-into-force
date and status. The extractor's own rules stand without it. Where it is looked for, first
found wins: ``$POLICY_KG_AUTHORITY``, ``<project>/reference/cn-laws.csv``,
``<project>/../shared/reference/cn-laws.csv``. ``POLICY_KG_AUTHORITY=none`` turns it off.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.graph.vocab import LEVELS, fold

COLUMNS = ("name", "full_name", "level", "publish_date", "in_force_date", "status")


@dataclass(frozen=True)
class LawRecord:
    name: str
    full_name: str
    level: str
    publish_date: str = ""
    in_force_date: str = ""
    status: str = ""


class Authority:
    def __init__(self, records: list[LawRecord], source: str = ""):
        self.source = source
        self._by_key: dict[str, LawRecord] = {}
        for record in records:
            for key in (record.full_name, record.name):
                self._by_key.setdefault(fold(key), record)

    def __bool__(self) -> bool:  # `if authority` must not count every record
        return bool(self._by_key)

    def __len__(self) -> int:
        return len({id(r) for r in self._by_key.values()})

    def titles(self) -> list[str]:
        """Every short and full title the list knows (for finding them in running text)."""
        return sorted({t for r in self._by_key.values() for t in (r.name, r.full_name)})

    def lookup(self, title: str) -> LawRecord | None:
        key = fold(title)
        record = self._by_key.get(key)
        if record is None and key.startswith("中华人民共和国"):
            record = self._by_key.get(key[len("中华人民共和国"):])
        return record

    @classmethod
    def load(cls, path: str | Path) -> "Authority":
        path = Path(path)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("name", "level") if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{path}: missing column {', '.join(missing)} (want {','.join(COLUMNS)})")
            records = []
            for row in reader:
                level = (row.get("level") or "").strip()
                level = level if level in LEVELS else "other"
                name = (row.get("name") or "").strip()
                if not name:
                    continue
                records.append(LawRecord(name, (row.get("full_name") or name).strip(), level,
                                         (row.get("publish_date") or "").strip(),
                                         (row.get("in_force_date") or "").strip(),
                                         (row.get("status") or "").strip()))
        return cls(records, str(path))


def default_path() -> Path | None:
    env = os.environ.get("POLICY_KG_AUTHORITY")
    if env:
        return None if env.lower() in ("none", "off", "0") else Path(env)
    home = Path(os.environ.get("POLICY_KG_HOME") or Path(__file__).resolve().parent.parent)
    for candidate in (home / "reference" / "cn-laws.csv", home.parent / "shared" / "reference" / "cn-laws.csv"):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Authority:
    return Authority.load(path)


def authority_note() -> str | None:
    """One line for the user when no authority list will be used, else None: the list was
    not found where it is looked for, or POLICY_KG_AUTHORITY names a file that is not there.
    ``POLICY_KG_AUTHORITY=none`` (turned off on purpose) says nothing."""
    env = os.environ.get("POLICY_KG_AUTHORITY")
    if env and env.lower() in ("none", "off", "0"):
        return None
    path = default_path()
    if path is None:
        home = Path(os.environ.get("POLICY_KG_HOME") or Path(__file__).resolve().parent.parent)
        return (f"no authority list of laws found (looked for {home / 'reference' / 'cn-laws.csv'} and "
                f"{home.parent / 'shared' / 'reference' / 'cn-laws.csv'}); extracting without it "
                "(set POLICY_KG_AUTHORITY to its path, or to none to silence this)")
    if not path.is_file():
        return (f"POLICY_KG_AUTHORITY={env}: no such file; extracting without an authority list")
    return None


def default_authority() -> Authority | None:
    path = default_path()
    if path is None or not path.is_file():
        return None
    return _cached(str(path), path.stat().st_mtime)
