#!/usr/bin/python3
"""Differential test: retort vs Alembic 1.8.1 (in-process, see alembic_runner.py)
on SQLite.  Each case = a revision graph written twice (Alembic .py files,
retort .sql files, same ids) + a command sequence run on both; after every
command we compare version rows, success/failure, "Running ..." lines, error
message/kind and (for current/heads/history/branches) stdout.

  python3 difftest.py --hand                 # hand-made graphs, exhaustive single commands
  python3 difftest.py --random 300 --seed 1  # random graphs + random sequences
  python3 difftest.py --hand --random 300 --jobs 2 --out results.json
Results: summary on stdout, details in --out (JSON), minimised examples in
--out's .min.txt.
"""
import argparse
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RETORT = os.environ.get("RETORT", os.path.join(HERE, "retort"))

if os.environ.get("PYTHONHASHSEED") is None:
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.path.insert(0, HERE)
import alembic_runner  # noqa: E402

# ---------------------------------------------------------------- projects

ENV_PY = '''
from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
engine = create_engine(context.config.get_main_option("sqlalchemy.url"), poolclass=NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''


def _pyval(xs):
    if not xs:
        return "None"
    if len(xs) == 1:
        return repr(xs[0])
    return "(" + ", ".join(repr(x) for x in xs) + ")"


def write_projects(graph, d):
    """graph: list of {id, down, labels, deps, msg}."""
    if os.path.exists(d):
        shutil.rmtree(d)
    a = os.path.join(d, "alembic")
    r = os.path.join(d, "retort")
    os.makedirs(os.path.join(a, "migrations", "versions"))
    os.makedirs(os.path.join(r, "migrations", "versions"))
    with open(os.path.join(a, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/migrations\n"
                "sqlalchemy.url = sqlite:///%(here)s/alembic.db\n")
    with open(os.path.join(a, "migrations", "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(r, "retort.toml"), "w") as f:
        f.write('script_location = "migrations"\n'
                'database_url = "sqlite:///retort.db"\n'
                'version_table = "alembic_version"\n')
    for rev in graph:
        fn = "%s_r" % rev["id"]
        with open(os.path.join(a, "migrations", "versions", fn + ".py"), "w") as f:
            f.write('"""%s\n\nRevision ID: %s\n"""\n' % (rev["msg"], rev["id"]))
            f.write("revision = %r\n" % rev["id"])
            f.write("down_revision = %s\n" % _pyval(rev["down"]))
            f.write("branch_labels = %s\n" % _pyval(rev["labels"]))
            f.write("depends_on = %s\n" % _pyval(rev["deps"]))
            f.write("\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n")
        with open(os.path.join(r, "migrations", "versions", fn + ".sql"), "w") as f:
            f.write("-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n"
                    % (rev["msg"], rev["id"], ", ".join(rev["down"])))
            if rev["labels"]:
                f.write("-- Branch Labels: %s\n" % ", ".join(rev["labels"]))
            if rev["deps"]:
                f.write("-- Depends On: %s\n" % ", ".join(rev["deps"]))
            f.write("\n-- retort:upgrade\n\n-- retort:downgrade\n")
    return a, r


def rows(db):
    if not os.path.exists(db):
        return None
    c = sqlite3.connect(db)
    try:
        return sorted(x[0] for x in c.execute("select version_num from alembic_version"))
    except sqlite3.OperationalError:
        return None
    finally:
        c.close()


# ---------------------------------------------------------------- running

def run_alembic(adir, argv):
    r = alembic_runner.run(os.path.join(adir, "alembic.ini"), argv)
    r["rows"] = rows(os.path.join(adir, "alembic.db"))
    r["error1"] = r["error"].splitlines()[0] if r["error"] else None
    return r


def run_retort(rdir, argv):
    p = subprocess.run([RETORT, "-c", os.path.join(rdir, "retort.toml"), "--no-lock"] + argv,
                       capture_output=True, text=True, timeout=60)
    err = None
    lines = p.stderr.splitlines()
    for i, l in enumerate(lines):
        if l.startswith("FAILED: "):
            err = "\n".join([l[8:]] + lines[i + 1:])
            break
    if p.returncode != 0 and err is None:
        err = (p.stderr.strip() or "rc=%d" % p.returncode)
    return {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
            "log": [l for l in lines if l.startswith("Running ")],
            "error": err, "error1": err.splitlines()[0] if err else None,
            "rows": rows(os.path.join(rdir, "retort.db"))}


ERR_KINDS = [
    ("multiple_heads", r"Multiple head revisions are present"),
    ("multiple_heads_stamp", r"Multiple heads are present"),
    ("not_found", r"Can't locate revision identified by"),
    ("bad_downgrade_target", r"is not a valid downgrade target"),
    ("bad_upgrade_target", r"is not a valid upgrade target"),
    ("ambiguous_walk", r"Ambiguous walk"),
    ("walked_too_far", r"Walked too far"),
    ("relative", r"Relative revision .* didn't produce"),
    ("ambiguous_upgrade", r"Ambiguous upgrade from multiple current"),
    ("overlaps", r"overlaps with other requested revisions"),
    ("range_not_ancestor", r"does not refer to ancestor/descendant"),
    ("dependency_resolution", r"Dependency resolution failed"),
    ("range_not_allowed", r"Range revision not allowed"),
    ("history_range", r"History range requires"),
    ("rowcount", r"Online migration expected to match one row"),
    ("usage", r"^usage|unknown flag|requires|argument"),
]


def err_kind(msg):
    if msg is None:
        return None
    for k, rx in ERR_KINDS:
        if re.search(rx, msg):
            return k
    m = re.match(r"(\w+Error|KeyError|\w+Exception): ", msg)
    if m:
        return "exception:" + m.group(1)
    return "other"


def norm_stdout(cmd, out):
    lines = [l.rstrip() for l in out.splitlines() if l.strip()]
    if cmd in ("current",):
        return sorted(lines)
    return lines


def compare(argv, a, r):
    diffs = {}
    if a["rows"] != r["rows"]:
        if not (a["rows"] in (None, []) and r["rows"] in (None, [])):
            diffs["rows"] = True
        else:
            diffs["table_existence"] = True
    if (a["rc"] == 0) != (r["rc"] == 0):
        diffs["status"] = True
    if a["log"] != r["log"]:
        diffs["running"] = True
    if a["rc"] == 1 and (a["error"] or "").split(":")[0].endswith(("Error", "Exception")):
        diffs["alembic_crash"] = True
    elif a["rc"] != 0 and r["rc"] != 0:
        ka, kr = err_kind(a["error1"]), err_kind(r["error1"])
        if ka != kr:
            diffs["error_kind"] = True
        elif a["error1"] != r["error1"]:
            diffs["error_text"] = True
    cmd = argv[0]
    if cmd in ("current", "heads", "history", "branches") and a["rc"] == 0 and r["rc"] == 0:
        if norm_stdout(cmd, a["stdout"]) != norm_stdout(cmd, r["stdout"]):
            diffs["stdout"] = True
    return diffs


def run_case(case, workdir):
    """case: {graph, cmds:[{argv, form}]}; returns list of step records."""
    adir, rdir = write_projects(case["graph"], workdir)
    out = []
    for c in case["cmds"]:
        a = run_alembic(adir, c["argv"])
        r = run_retort(rdir, c["argv"])
        d = compare(c["argv"], a, r)
        out.append({"argv": c["argv"], "form": c.get("form"), "diffs": d,
                    "a": {k: a[k] for k in ("rc", "rows", "log", "error", "stdout", "warnings")},
                    "r": {k: r[k] for k in ("rc", "rows", "log", "error", "stdout")}})
    return out


# ---------------------------------------------------------------- graphs

def G(spec):
    """Compact form: 'a; b<a; c<b [L:lbl] [D:x,y]; m<c,d' (first name = id)."""
    graph = []
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        labels, deps = [], []
        for m in re.findall(r"\[(\w):([^\]]*)\]", part):
            (labels if m[0] == "L" else deps).extend(x.strip() for x in m[1].split(","))
        part = re.sub(r"\[.*?\]", "", part).strip()
        if "<" in part:
            rid, down = part.split("<")
            down = [x.strip() for x in down.split(",")]
        else:
            rid, down = part, []
        graph.append({"id": rid.strip(), "down": down, "labels": labels, "deps": deps,
                      "msg": "m_" + rid.strip()})
    return graph


def compact(graph):
    parts = []
    for r in graph:
        s = r["id"]
        if r["down"]:
            s += "<" + ",".join(r["down"])
        if r["labels"]:
            s += " [L:%s]" % ",".join(r["labels"])
        if r["deps"]:
            s += " [D:%s]" % ",".join(r["deps"])
        parts.append(s)
    return "; ".join(parts)


HAND_GRAPHS = {
    # linear
    "linear": G("aaa1; bbb2<aaa1; ccc3<bbb2; ddd4<ccc3"),
    # ALEMBIC.md branch example: a, b, c1/d1, c2/d2 with labels
    "branches": G("a0000; b0000<a0000; c1000<b0000 [L:c1branch]; d1000<c1000; "
                  "c2000<b0000 [L:c2branch]; d2000<c2000"),
    # forest: three bases
    "forest": G("base1 [L:one]; a1xx<base1; base2 [L:two]; a2xx<base2; base3; a3xx<base3 [D:a1xx]"),
    # merge of 3 parents, then merge of merges
    "merge3": G("r000; p100<r000; p200<r000; p300<r000; m123<p100,p200,p300; "
                "q100<m123; q200<m123; mm12<q100,q200"),
    # merge of merges with distinct bases
    "mergemerge": G("x1aa; x2aa<x1aa; y1bb; y2bb<y1bb; z1cc; mxy0<x2aa,y2bb; mz00<mxy0,z1cc [L:top]; t000<mz00"),
    # effective head via depends_on (head that is only a dependency target)
    "effhead": G("a1 [L:alib]; a2<a1; b1 [L:blib]; b2<b1 [D:a2]"),
    # depends_on a branch label
    "deplabel": G("c1base; c1lib<c1base [L:lib]; app1; app2<app1 [D:lib]; app3<app2"),
    # #1373: merge of a1 and b1 where b1 depends_on a1
    "dep1373": G("a1; b1 [D:a1]; m1<a1,b1"),
    # branch point + dependency across branches + merge
    "depmerge": G("root; l1<root [L:left]; l2<l1; r1<root [L:right] [D:l1]; r2<r1; m<l2,r2; n<m"),
    # ambiguous prefixes / labels as keys
    "prefix": G("abcd1111; abcd2222<abcd1111; abce3333<abcd2222 [L:abz]; b000<abcd2222"),
}


def specs_for(graph, rng=None):
    ids = [r["id"] for r in graph]
    labels = [l for r in graph for l in r["labels"]]
    s = ["head", "heads", "base", "+1", "+2", "-1", "-2", "head-1", "heads-1", "base+1", "base+2",
         "deadbeef", "current", "%s:%s" % (ids[0], ids[-1])]
    for i in ids:
        s += [i, i[:2], i[:4], i + "+1", i + "-1", i + "@head", i + "@base"]
    for l in labels:
        s += [l, l + "@head", l + "@heads", l + "@base", l + "@+1", l + "@-1", l + "@base+1",
              l + "@head-1"]
        s += [l + "@" + i for i in ids[:: max(1, len(ids) // 4)]]
    return sorted(set(s), key=s.index)


def hand_cases():
    """For each hand graph: every spec of upgrade/downgrade from several start
    states, plus stamp/current/heads/history."""
    cases = []
    for name, g in HAND_GRAPHS.items():
        ids = [r["id"] for r in g]
        labels = [l for r in g for l in r["labels"]]
        starts = [[], ["upgrade", "heads"]]
        # a few partial states
        for i in ids[1:: max(1, len(ids) // 3)]:
            starts.append(["upgrade", i])
        for l in labels[:2]:
            starts.append(["upgrade", l + "@head"])
        for spec in specs_for(g):
            for st in starts:
                for verb in ("upgrade", "downgrade"):
                    cmds = []
                    if st:
                        cmds.append({"argv": list(st), "form": "setup"})
                    cmds.append({"argv": [verb, spec], "form": verb + " " + form_of(spec, g)})
                    cmds.append({"argv": ["current"], "form": "current"})
                    cases.append({"name": name, "graph": g, "cmds": cmds})
        # stamp
        stamps = [["heads"], ["base"], [ids[0]], [ids[-1]], ids[:2], [ids[1], ids[-1]],
                  ["head"], [ids[2][:4]]] + [[l + "@head"] for l in labels] + \
                 [[l + "@base"] for l in labels]
        for st in starts:
            for sargs in stamps:
                for purge in ([], ["--purge"]):
                    cmds = ([{"argv": list(st), "form": "setup"}] if st else [])
                    cmds.append({"argv": ["stamp"] + purge + sargs,
                                 "form": "stamp" + (" --purge" if purge else "") + " " +
                                 " ".join(form_of(x, g) for x in sargs)})
                    cmds.append({"argv": ["current"], "form": "current"})
                    cmds.append({"argv": ["upgrade", "heads"], "form": "upgrade heads"})
                    cases.append({"name": name, "graph": g, "cmds": cmds})
        # read-only
        ro = [["heads"], ["heads", "--resolve-dependencies"], ["branches"], ["history"],
              ["current"]]
        for a in (ids[0], ids[1], "base", ""):
            for b in (ids[-1], "heads", "head", "current", "+1", ""):
                ro.append(["history", "-r%s:%s" % (a, b)])
        ro += [["history", "-r-2:current"], ["history", "-r-1:"], ["history", "-rcurrent:"],
               ["history", "-r%s" % ids[1]]]
        for st in starts[:4]:
            cmds = ([{"argv": list(st), "form": "setup"}] if st else [])
            cmds += [{"argv": x, "form": " ".join(x[:1] + [form_of(y, g) for y in x[1:]])} for x in ro]
            cases.append({"name": name, "graph": g, "cmds": cmds})
    return cases


def form_of(spec, graph):
    ids = {r["id"] for r in graph}
    labels = {l for r in graph for l in r["labels"]}

    def tok(t):
        if t in ("head", "heads", "base", "current", ""):
            return t
        if t in ids:
            return "<id>"
        if t in labels:
            return "<label>"
        if any(i.startswith(t) for i in ids):
            return "<prefix>"
        if re.fullmatch(r"[+-]\d+", t):
            return t[0] + "N"
        return "<unknown>"

    if spec.startswith("-r"):
        spec = spec[2:]
    if spec.startswith("--"):
        return spec
    m = re.fullmatch(r"(?:(.+?)@)?(\w*)([+-]\d+)", spec)
    if m:
        return ((tok(m.group(1)) + "@") if m.group(1) else "") + tok(m.group(2)) + m.group(3)[0] + "N"
    if ":" in spec:
        a, b = spec.split(":", 1)
        return form_of(a, graph) + ":" + form_of(b, graph)
    if "@" in spec:
        a, b = spec.split("@", 1)
        return tok(a) + "@" + tok(b)
    return tok(spec)


# ---------------------------------------------------------------- random

PREFIXES = ["a1", "a1", "a2", "b7", "c0", "c0", "d5", "e9"]


def rand_graph(rng):
    n = rng.randint(5, 15)
    graph = []
    used = set()
    children = {}
    labelno = 0

    def ancestors(rid):
        out, st = set(), [rid]
        byid = {r["id"]: r for r in graph}
        while st:
            x = st.pop()
            for p in byid[x]["down"] + [d for d in byid[x]["deps"] if d in byid]:
                if p not in out:
                    out.add(p)
                    st.append(p)
        return out

    for i in range(n):
        while True:
            rid = rng.choice(PREFIXES) + "".join(rng.choice("0123456789abcdef")
                                                  for _ in range(rng.choice([2, 4, 10])))
            if rid not in used and not any(u.startswith(rid) or rid.startswith(u) for u in used):
                break
        used.add(rid)
        heads = [r["id"] for r in graph if not children.get(r["id"])]
        x = rng.random()
        if not graph or x < 0.15:
            down = []
        elif x < 0.32 and len(heads) >= 2:
            k = 3 if (len(heads) >= 3 and rng.random() < 0.3) else 2
            down = rng.sample(heads, k)
        else:
            pool = heads if rng.random() < 0.6 else [r["id"] for r in graph]
            down = [rng.choice(pool)]
        labels = []
        if rng.random() < 0.2:
            labelno += 1
            labels = ["lb%d" % labelno]
        deps = []
        if graph and rng.random() < 0.18:
            anc = set(down)
            for dd in down:
                anc |= ancestors(dd)
            cand = [r for r in graph if r["id"] not in anc]
            if cand:
                t = rng.choice(cand)
                if t["labels"] and rng.random() < 0.4:
                    deps = [t["labels"][0]]
                else:
                    deps = [t["id"]]
        for dd in down:
            children.setdefault(dd, []).append(rid)
        graph.append({"id": rid, "down": down, "labels": labels, "deps": deps, "msg": "m%d" % i})
    return graph


def rand_spec(rng, graph, verb):
    ids = [r["id"] for r in graph]
    labels = [l for r in graph for l in r["labels"]]
    N = lambda: str(rng.choice([1, 1, 1, 2, 2, 3, 5]))
    rid = lambda: rng.choice(ids)
    pre = lambda: (lambda i: i[:rng.choice([1, 2, 3, 4, 5, len(i)])])(rid())
    lab = lambda: rng.choice(labels) if labels and rng.random() < 0.75 else rid()
    choices = [
        (6, lambda: rng.choice(["head", "heads", "base"])),
        (5, lambda: "+" + N()),
        (5, lambda: "-" + N()),
        (6, rid),
        (4, pre),
        (3, lambda: rid() + "+" + N()),
        (3, lambda: rid() + "-" + N()),
        (2, lambda: "head-" + N()),
        (1, lambda: "heads-" + N()),
        (2, lambda: "base+" + N()),
        (3, lambda: lab() + "@head"),
        (1, lambda: lab() + "@heads"),
        (3, lambda: lab() + "@base"),
        (3, lambda: lab() + "@" + pre()),
        (2, lambda: lab() + "@+" + N()),
        (2, lambda: lab() + "@-" + N()),
        (1, lambda: lab() + "@base+" + N()),
        (1, lambda: lab() + "@head-" + N()),
        (2, lambda: rng.choice(labels) if labels else rid()),
        (1, lambda: rng.choice(["deadbeef", "current", "zz"])),
    ]
    tot = sum(w for w, _ in choices)
    x = rng.uniform(0, tot)
    for w, f in choices:
        x -= w
        if x <= 0:
            return f()
    return "heads"


def rand_cmd(rng, graph):
    x = rng.random()
    ids = [r["id"] for r in graph]
    if x < 0.36:
        s = rand_spec(rng, graph, "upgrade")
        return {"argv": ["upgrade", s], "form": "upgrade " + form_of(s, graph)}
    if x < 0.66:
        s = rand_spec(rng, graph, "downgrade")
        return {"argv": ["downgrade", s], "form": "downgrade " + form_of(s, graph)}
    if x < 0.80:
        k = rng.choice([1, 1, 1, 2, 2, 3])
        args = []
        for _ in range(k):
            args.append(rng.choice([rng.choice(ids), rng.choice(ids), "heads", "head", "base",
                                    rng.choice(ids)[:4]] +
                                   [l + "@head" for r in graph for l in r["labels"]]))
        purge = ["--purge"] if rng.random() < 0.25 else []
        return {"argv": ["stamp"] + purge + args,
                "form": "stamp" + (" --purge" if purge else "") + " " + " ".join(form_of(a, graph) for a in args)}
    if x < 0.88:
        return {"argv": ["current"], "form": "current"}
    if x < 0.92:
        v = rng.choice([["heads"], ["heads", "--resolve-dependencies"], ["branches"]])
        return {"argv": v, "form": " ".join(v)}
    a = rng.choice(["", "base", "current", "-1", "-2", rng.choice(ids), rng.choice(ids)[:4]])
    b = rng.choice(["", "head", "heads", "current", "+1", "+2", rng.choice(ids)])
    r = "-r%s:%s" % (a, b)
    return {"argv": ["history", r], "form": "history " + form_of(r, graph)}


def random_cases(n, seed):
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        g = rand_graph(rng)
        cmds = [rand_cmd(rng, g) for _ in range(rng.randint(5, 10))]
        cases.append({"name": "rand%d" % i, "graph": g, "cmds": cmds})
    return cases


# ---------------------------------------------------------------- driver

def _worker(args):
    idx, case = args
    wd = os.path.join(tempfile.gettempdir(), "difftest_w%d" % os.getpid())
    steps = run_case(case, wd)
    return idx, steps


def first_diff(steps):
    for i, s in enumerate(steps):
        if set(s["diffs"]) - {"table_existence"}:
            return i
    for i, s in enumerate(steps):
        if s["diffs"]:
            return i
    return None


def signature(step):
    return (step["form"], tuple(sorted(step["diffs"])))


def minimise(case, idx, wd):
    """Shrink command list (keep prefix up to the diff, drop earlier commands)
    and graph (drop unreferenced revisions, labels, deps) while the same
    signature persists at the last step."""
    cmds = case["cmds"][: idx + 1]
    sig = signature(run_case({"graph": case["graph"], "cmds": cmds}, wd)[-1])
    graph = case["graph"]

    def still(g, cs):
        try:
            st = run_case({"graph": g, "cmds": cs}, wd)
        except Exception:
            return False
        return bool(st[-1]["diffs"]) and signature(st[-1]) == sig

    changed = True
    while changed:
        changed = False
        for j in range(len(cmds) - 1):
            c2 = cmds[:j] + cmds[j + 1:]
            if still(graph, c2):
                cmds, changed = c2, True
                break
        if changed:
            continue
        text = " ".join(" ".join(c["argv"]) for c in cmds)
        for r in graph:
            rid = r["id"]
            referenced = any(rid in (x["down"] + x["deps"]) for x in graph) or \
                any(l in x["deps"] for l in r["labels"] for x in graph)
            if referenced or rid in text or any(l in text for l in r["labels"]):
                continue
            g2 = [x for x in graph if x is not r]
            if g2 and still(g2, cmds):
                graph, changed = g2, True
                break
        if changed:
            continue
        for k, r in enumerate(graph):
            for field in ("deps",):
                if r[field]:
                    if field == "labels" and any(l in x["deps"] for l in r["labels"] for x in graph):
                        continue
                    g2 = [dict(x) for x in graph]
                    g2[k][field] = []
                    if still(g2, cmds):
                        graph, changed = g2, True
                        break
            if changed:
                break
    for k, r in enumerate(graph):
        if r["labels"] and not any(l in text or any(l in x["deps"] for x in graph) for l in r["labels"]):
            g2 = [dict(x) for x in graph]
            g2[k]["labels"] = []
            if still(g2, cmds):
                graph = g2
    steps = run_case({"graph": graph, "cmds": cmds}, wd)
    L = steps[-1]["r"]
    rv = json.dumps([L["rows"], L["log"], L["error"].splitlines()[0] if L["error"] else None,
                     norm_stdout(cmds[-1]["argv"][0], L["stdout"])])
    var = seed_variance(graph, cmds)
    return {"graph": compact(graph), "seed_outcomes": len(var), "retort_matches_some_seed": rv in var,
            "alembic_outcomes": var[:4],
            "cmds": [" ".join(c["argv"]) for c in cmds], "last": steps[-1]}


def seed_variance(graph, cmds, seeds=range(1, 9)):
    """Replay the Alembic side under other PYTHONHASHSEEDs; returns the set of
    distinct last-step outcomes (rows, log, error)."""
    import hashlib
    fn = os.path.join(tempfile.gettempdir(), "replay_%d.json" % os.getpid())
    with open(fn, "w") as f:
        json.dump({"graph": graph, "cmds": cmds}, f)
    outs = set()
    for sd in seeds:
        env = dict(os.environ, PYTHONHASHSEED=str(sd))
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--replay", fn],
                           capture_output=True, text=True, env=env)
        outs.add(p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "ERR " + p.stderr[-200:])
    return sorted(outs)


def replay(fn):
    c = json.load(open(fn))
    wd = os.path.join(tempfile.gettempdir(), "difftest_replay%d" % os.getpid())
    adir, _ = write_projects(c["graph"], wd)
    for cm in c["cmds"]:
        a = run_alembic(adir, cm["argv"])
    print(json.dumps([a["rows"], a["log"], a["error1"], norm_stdout(cm["argv"][0], a["stdout"])]))


def main():
    if sys.argv[1:2] == ["--replay"]:
        return replay(sys.argv[2])
    ap = argparse.ArgumentParser()
    ap.add_argument("--hand", action="store_true")
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--no-minimise", action="store_true")
    ap.add_argument("--max-min", type=int, default=1, help="minimise this many cases per signature")
    o = ap.parse_args()
    cases = []
    if o.hand:
        cases += hand_cases()
    if o.random:
        cases += random_cases(o.random, o.seed)
    ctx = mp.get_context("fork")
    results = [None] * len(cases)
    with ctx.Pool(o.jobs) as pool:
        for n, (idx, steps) in enumerate(pool.imap_unordered(_worker, list(enumerate(cases)), chunksize=4)):
            results[idx] = steps
            if n % 200 == 0:
                print("... %d/%d cases" % (n, len(cases)), file=sys.stderr, flush=True)
    ncmd = sum(len(s) for s in results)
    # every step whose starting state (version rows) was the same on both sides
    bysig = {}
    for ci, steps in enumerate(results):
        same = True
        for i, st in enumerate(steps):
            if same and st["diffs"]:
                if set(st["diffs"]) - {"table_existence"} or first_diff(steps) == i:
                    bysig.setdefault(signature(st), []).append((ci, i))
            if "rows" in st["diffs"]:
                same = False
    print("cases=%d commands_compared=%d steps_with_discrepancy=%d cases_with_discrepancy=%d distinct_signatures=%d"
          % (len(cases), ncmd, sum(len(v) for v in bysig.values()),
             len({ci for v in bysig.values() for ci, _ in v}), len(bysig)))
    report = []
    wd = os.path.join(tempfile.gettempdir(), "difftest_min%d" % os.getpid())
    for sig, lst in sorted(bysig.items(), key=lambda kv: -len(kv[1])):
        entry = {"form": sig[0], "diffs": list(sig[1]), "count": len(lst), "examples": []}
        for ci, i in lst[: o.max_min]:
            c = cases[ci]
            ex = {"case": c["name"], "graph": compact(c["graph"]),
                  "cmds": [" ".join(x["argv"]) for x in c["cmds"][: i + 1]], "last": results[ci][i]}
            if not o.no_minimise:
                ex["min"] = minimise(c, i, wd)
            entry["examples"].append(ex)
        report.append(entry)
        print("%4d  %-45s %s" % (len(lst), sig[0], ",".join(sig[1])))
    with open(o.out, "w") as f:
        json.dump({"commands": ncmd, "cases": len(cases), "signatures": report}, f, indent=1)
    with open(o.out.rsplit(".", 1)[0] + ".min.txt", "w") as f:
        for e in report:
            f.write("=== %s  %s  (x%d)\n" % (e["form"], e["diffs"], e["count"]))
            for ex in e["examples"][:1]:
                m = ex.get("min") or ex
                f.write("graph: %s\ncmds: %s\n" % (m["graph"], " ; ".join(m["cmds"])))
                if "seed_outcomes" in m:
                    f.write("  alembic distinct outcomes over 8 hash seeds: %d; retort matches one: %s\n"
                            % (m["seed_outcomes"], m["retort_matches_some_seed"]))
                L = m["last"]
                for side in ("a", "r"):
                    s = L[side]
                    f.write("  %s rc=%s rows=%s log=%s err=%r out=%r\n" % (
                        "alembic" if side == "a" else "retort ", s["rc"], s["rows"], s["log"],
                        (s["error"] or "")[:300], (s["stdout"] or "")[:300]))
            f.write("\n")


if __name__ == "__main__":
    main()
