"""org:subOrganizationOf where the name makes the parent certain, and nowhere else."""
from __future__ import annotations

import pytest
from rdflib.namespace import RDFS

from kg.extract.hierarchy import parent_body
from kg.ingest import ingest_paths
from kg.graph.vocab import ORG

from .conftest import EXAMPLES


@pytest.mark.parametrize("name, region, parent", [
    ("海滨区司法局", "海滨区", "海滨区人民政府"),
    ("云溪市政务服务和数据管理局", "云溪市", "云溪市人民政府"),
    ("海滨区城市管理和综合执法局", "海滨区", "海滨区人民政府"),
    ("海滨区人民政府办公室", "海滨区", "海滨区人民政府"),
    ("海滨区桃源街道办事处", "海滨区", "海滨区人民政府"),
    ("江北省司法厅", "江北省", "江北省人民政府"),
    ("江北省人民政府办公厅", "江北省", "江北省人民政府"),
])
def test_departments_and_street_offices_belong_to_their_government(name, region, parent):
    assert parent_body(name, region) == parent


@pytest.mark.parametrize("name, region", [
    ("云溪市公安局海滨分局", "云溪市"),      # a branch belongs to its city bureau
    ("海滨区人民法院", "海滨区"),            # courts are not parts of a government
    ("海滨区人民检察院", "海滨区"),
    ("海滨区人民代表大会常务委员会", "海滨区"),
    ("海滨区监察委员会", "海滨区"),
    ("中共云溪市海滨区委员会", "海滨区"),
    ("海滨区发展和改革委员会", "海滨区"),     # a commission: not certain from the name alone
    ("海滨区人民政府", "海滨区"),            # the government itself
    ("司法局", "海滨区"),                    # no region in the name
    ("海滨区司法局", ""),                    # no jurisdiction known
    ("海滨区档案馆服务中心", "海滨区"),
    ("江北省委办公厅", "江北省"),            # a Party committee's office
    ("云溪市委政法委员会", "云溪市"),
    ("桃源社区居民委员会", "桃源"),          # not a region's name
])
def test_nothing_else_gets_a_parent(name, region):
    assert parent_body(name, region) is None


def test_the_examples_store_the_parent_of_the_reporting_bureau(store):
    assert ingest_paths([EXAMPLES], store).ok
    rows = store.select("""
        PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?child ?parent WHERE { GRAPH ?g { ?c org:subOrganizationOf ?p .
          ?c rdfs:label ?child . ?p rdfs:label ?parent } }""")
    pairs = {(b["child"]["value"], b["parent"]["value"]) for b in rows["results"]["bindings"]}
    assert ("云溪市海滨区司法局", "云溪市海滨区人民政府") in pairs or ("海滨区司法局", "海滨区人民政府") in pairs, pairs
    assert all(parent.endswith("人民政府") for _, parent in pairs)
