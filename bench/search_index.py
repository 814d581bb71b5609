"""The full-text index at scale: build it for N synthetic report graphs and time searches.

    .venv/bin/python bench/search_index.py 100000 [--folder /tmp/policy-kg-search]

Each synthetic graph holds 15 agency labels (310 regions x 10 bureaus, so labels repeat across
graphs as real agencies do) and 10 evidence sentences made from report-like templates with
random numbers; the index is built in batches of 500 graphs as the writer would, then each
query runs 7 times (p50 printed). No store is needed: this measures kg.search alone.
"""
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.search import SearchIndex  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
FOLDER = Path(sys.argv[sys.argv.index("--folder") + 1]) if "--folder" in sys.argv else Path("/tmp/policy-kg-search")
rng = random.Random(1)
regions = ["光明区","南山区","福田区","宝安区","龙华区","海滨区","云溪市","江北省","深圳市","东城区"] + [f"测试{i}区" for i in range(300)]
bureaus = ["司法局","教育局","卫生健康局","住房和城乡建设局","政务服务和数据管理局","人民政府","发展和改革局","生态环境局","交通运输局","市场监督管理局"]
docs = ["中华人民共和国民营经济促进法","优化营商环境条例","政务数据共享条例","法治政府建设实施纲要（2021－2025年）","中华人民共和国行政复议法","数据安全法","个人信息保护法"]
sent = ["全年组织学习《{d}》，确保法治宣传覆盖率达到{n}%以上。","{r}{b}深入推进依法行政，办理行政复议案件{n}宗。","建成“{r}智慧政务”平台，累计服务群众{n}万人次。","下一步，{r}将持续优化营商环境，力争新增市场主体{n}家。","开展法律进社区活动{n}场，覆盖居民{n}人。"]
nt = lambda s,p,o: f"<{s}> <{p}> {o} .\n"
L="http://www.w3.org/2000/01/rdf-schema#label"; T="http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
S="http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence"; A="http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"
def graph(i):
    r = rng.choice(regions); out=[]
    for k in range(15):
        b = rng.choice(bureaus); out.append(nt(f"http://e/a/{r}{b}", L, f'"{r}{b}"@zh')); out.append(nt(f"http://e/a/{r}{b}", T, "<http://e/Agency>"))
    for k in range(10):
        text = rng.choice(sent).format(d=rng.choice(docs), r=r, b=rng.choice(bureaus), n=rng.randint(1,9999))
        s=f"http://e/r{i}/s{k}"; out.append(nt(s,T,f"<{S}>")); out.append(nt(s,A,'"'+text+'"'))
    return f"http://e/g/{i}", "".join(out)
d = FOLDER / "store"
d.mkdir(parents=True, exist_ok=True)
for suffix in ("", "-wal", "-shm"):
    f = FOLDER / f"store.search.sqlite{suffix}"
    if f.exists():
        f.unlink()
idx = SearchIndex(d, writable=True)
t=time.time()
batch=[]
for i in range(N):
    batch.append(graph(i))
    if len(batch)==500: idx.replace(batch); batch=[]
if batch: idx.replace(batch)
print(f"{N} graphs: build {time.time() - t:.0f} s, {os.path.getsize(FOLDER / 'store.search.sqlite') / 1e6:.0f} MB")
for q in ["司法","优化营商环境","光明区司法局","智慧政务平台","测试12区","无此"]:
    ts=[]
    for _ in range(7):
        t=time.perf_counter(); total, rows, ex = idx.search(q, 20, 0); ts.append(time.perf_counter()-t)
    ts.sort()
    print(f"{q}\t{total}{'' if ex else '+'} hits\tp50 {ts[3] * 1000:.1f} ms")
