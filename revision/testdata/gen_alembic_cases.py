"""Generate revision-graph conformance cases by running Alembic itself.

Usage (needs SQLAlchemy and an Alembic source checkout, e.g. Debian's
python3-sqlalchemy and github.com/sqlalchemy/alembic):

    for s in 0 1 2 3 4 5; do
        PYTHONHASHSEED=$s PYTHONPATH=/path/to/alembic python3 gen_alembic_cases.py > /tmp/cases.$s.json
    done
    python3 gen_alembic_cases.py --merge /tmp/cases.*.json > alembic_cases.json

Every case is computed with several hash seeds: where Alembic's result
depends on Python's set iteration order (which parent row a merge updates,
order among several dependencies), the merged file marks the field unstable
and the Go test compares only what is stable.
"""

import json
import random
import sys
import types
import warnings


def graphs():
    """Fixed graphs (from Alembic's tests) followed by random ones."""
    G = []

    def add(name, revs):
        G.append({"name": name, "revs": revs})

    def r(id_, down=(), deps=(), labels=()):
        if isinstance(down, str):
            down = (down,)
        if isinstance(deps, str):
            deps = (deps,)
        if isinstance(labels, str):
            labels = (labels,)
        return {"id": id_, "down": list(down), "deps": list(deps), "labels": list(labels)}

    add("linear", [r("e6239818bb3a"), r("548bbb905360", "e6239818bb3a"),
                   r("b7ea43dc85e4", "548bbb905360"), r("1bbe33445780", "b7ea43dc85e4"),
                   r("3975fb1a0125", "1bbe33445780")])
    add("branched", [r("a"), r("b", "a"), r("c1", "b", labels="c1branch"), r("d1", "c1"),
                     r("c2", "b", labels="c2branch"), r("d2", "c2")])
    add("merged", [r("a"), r("b", "a"), r("c1", "b"), r("d1", "c1"),
                   r("c2", "b", labels="c2branch"), r("d2", "c2"), r("e", ("d1", "d2")), r("f", "e")])
    add("diamond", [r("a"), r("b1", "a"), r("b2", "a"), r("c", ("b1", "b2")), r("d", "c")])
    add("labeled", [r("a", labels="abranch"), r("b", "a"), r("somelongername", "b"),
                    r("c", "somelongername"), r("d"), r("e", "d", labels="ebranch"),
                    r("someothername", "e"), r("f", "someothername")])
    add("longshort", [r("a"), r("b1", "a"), r("b2", "a"), r("c1", "b1"), r("d11", "c1"), r("d12", "c1")])
    add("multibranch", [r("a"), r("b1", "a"), r("b2", "a"), r("cb1", "b1"), r("cb2", "b2"),
                        r("d1cb1", "cb1"), r("d2cb1", "cb1"), r("d1cb2", "cb2"), r("d2cb2", "cb2"),
                        r("d3cb2", "cb2"), r("d1d2cb2", ("d1cb2", "d2cb2"))])
    add("effhead", [r("y1", labels="y"), r("x1", labels="x"), r("y2", "y1", deps="x1"), r("x2", "x1")])
    add("travelling", [r("a1"), r("a2", "a1"), r("a3", "a2"), r("b1", "a3"), r("b2", "a3"),
                       r("cb1", "b1"), r("cb2", "b2"), r("db1", "cb1"), r("db2", "cb2"),
                       r("e1b1", "db1"), r("fe1b1", "e1b1"), r("e2b1", "db1"), r("e2b2", "db2"),
                       r("merge", ("e2b1", "e2b2"))])
    add("multibase", [r("base1"), r("base2"), r("base3"), r("a1a", "base1"), r("a1b", "base1"),
                      r("a2", "base2"), r("a3", "base3"), r("b1a", "a1a"), r("b1b", "a1b"),
                      r("b2", "a2"), r("b3", "a3"), r("c2", "b2"), r("d2", "c2"),
                      r("mergeb3d2", ("b3", "d2"))])
    add("crossdep1", [r("base1", labels="b_1"), r("a1a", "base1"), r("a1b", "base1"), r("b1a", "a1a"),
                      r("b1b", "a1b", deps="a3"), r("base2", labels="b_2"), r("a2", "base2"),
                      r("b2", "a2"), r("c2", "b2", deps="a3"), r("d2", "c2"),
                      r("base3", labels="b_3"), r("a3", "base3"), r("b3", "a3")])
    add("crossdep2", [r("base1", labels="b_1"), r("a1", "base1"), r("b1", "a1"), r("c1", "b1"),
                      r("base2", deps="b_1", labels="b_2"), r("a2", "base2"), r("b2", "a2"),
                      r("c2", "b2"), r("d2", "c2"), r("base3", labels="b_3"), r("a3", "base3"),
                      r("b3", "a3"), r("c3", "b3", deps="b2"), r("d3", "c3")])
    add("crossdep3", [r("base1"), r("a1", "base1"), r("b1", "a1"), r("c2", deps="a1"), r("c3", "c2")])
    add("normdown", [r("a1"), r("a2", "a1"), r("a3", "a2"), r("b1"), r("b2", "b1", deps="a3"),
                     r("b3", "b2"), r("b4", "b3", deps="a3"), r("b5", "b4", deps="b4")])
    add("normdown3", [r("c1"), r("a1"), r("a2", "a1", deps="c1"), r("a3", "a2", deps="c1"), r("b1"),
                      r("b2", "b1", deps="a3"), r("b3", "b2"), r("b4", "b3", deps="a3"), r("b5", "b4")])
    add("dupehead", [r("user_foo"), r("user", "user_foo", deps="user_foo")])
    add("frommerge", [r("a1"), r("b1", "a1"), r("c1", "b1"), r("a2"), r("b2", "a2"), r("c2", "b2"),
                      r("d1", ("c1", "c2")), r("d2", "c2")])
    add("from3way", [r("a1"), r("b1", "a1"), r("c1", "b1"), r("a2"), r("b2", "a2"), r("c2", "b2"),
                     r("a3"), r("b3", "a3"), r("c3", "b3"), r("d1", ("c1", "c2", "c3")),
                     r("d2", "c2"), r("d3", "c3")])
    add("twinmerge", [r("a"), r("b1", "a"), r("b2", "a"), r("b3", "a"), r("c1", ("b1", "b2", "b3")),
                      r("c2", ("b1", "b2", "b3")), r("d1", "c1"), r("d2", "c2")])
    add("notquitetwin", [r("a"), r("b1", "a"), r("b2", "a"), r("b3", "a"), r("c1", ("b1", "b2")),
                         r("c2", ("b2", "b3")), r("d1", "c1"), r("d2", "c2")])
    add("depone", [r("a1", labels="lib1"), r("b1", "a1"), r("c1", "b1"), r("a2"), r("b2", "a2"),
                   r("c2", "b2", deps="c1"), r("d1", "c1"), r("e1", "d1"), r("f1", "e1")])
    add("deptwo", [r("a1"), r("a2"), r("a3"), r("amerge", ("a1", "a2", "a3")), r("b1"), r("b2"),
                   r("bmerge", ("b1", "b2")), r("c1"), r("c2"), r("c3"), r("cmerge", ("c1", "c2", "c3")),
                   r("d1", deps=("a3", "b2", "c1"))])
    add("depthree", [r("a1"), r("a2", "a1"), r("b1"), r("b2", "b1", deps="a2"), r("b3", "b2"),
                     r("a3", "a2", deps="b1")])
    add("owndownrev", [r("a1"), r("a2", "a1", deps="a1")])
    add("depfour", [r("a1"), r("a2", "a1"), r("a3", "a2"), r("b1"), r("b2", "b1", deps="a3"),
                    r("b3", "b2"), r("b4", "b3", deps="a3")])
    add("depfive", [r("a1"), r("b1", deps="a1"), r("bmerge", ("a1", "b1"))])
    add("deplabel", [r("a1", labels="lib1"), r("b1", "a1"), r("c1", "b1", labels="c1lib"), r("a2"),
                     r("b2", "a2"), r("c2", "b2", deps="c1lib"), r("d1", "c1"), r("e1", "d1"), r("f1", "e1")])
    add("forest", [r("a1"), r("b1", "a1"), r("a2"), r("b2", "a2")])
    add("crossbranch", [r("a"), r("b", "a"), r("c1", "b", labels="c1branch"), r("d1", "c1"),
                        r("c2", "b", labels="c2branch"), r("d2", "c2", deps="c1")])
    add("prefixes", [r("abcd1111"), r("abcd2222", "abcd1111"), r("abce3333", "abcd2222", labels="abcdlbl"),
                     r("b7e", "abcd2222"), r("b7ea43", "b7e")])

    rnd = random.Random(1234)
    alphabet = "0123456789abcdef"
    for k in range(60):
        n = rnd.randint(3, 12)
        ids = []
        while len(ids) < n:
            ln = rnd.choice([2, 3, 4, 4, 5, 6, 8])
            i = "".join(rnd.choice(alphabet) for _ in range(ln))
            if i not in ids and i not in ("head", "base"):
                ids.append(i)
        revs = []
        labels_used = {}
        for j, i in enumerate(ids):
            if j == 0 or rnd.random() < 0.12:
                down = []
            elif j >= 2 and rnd.random() < 0.18:
                down = rnd.sample(ids[:j], min(j, rnd.choice([2, 2, 3])))
            else:
                pool = ids[max(0, j - 4):j]
                down = [rnd.choice(pool)]
            deps = []
            if j >= 1 and rnd.random() < 0.2:
                cand = [x for x in ids[:j] if x not in down]
                if cand:
                    deps = rnd.sample(cand, 1 if rnd.random() < 0.8 else min(2, len(cand)))
            labels = []
            if rnd.random() < 0.15:
                labels = ["lbl%d" % len(labels_used)]
                labels_used[labels[0]] = i
            revs.append({"id": i, "down": down, "deps": deps, "labels": labels})
        # sometimes a dependency names a label
        for rv in revs:
            for x, d in enumerate(rv["deps"]):
                for l, owner in labels_used.items():
                    if owner == d and rnd.random() < 0.5:
                        rv["deps"][x] = l
        if rnd.random() < 0.3:
            rnd.shuffle(revs)
        add("random%d" % k, revs)
    return G


def load(graph):
    from alembic.script.revision import Revision, RevisionMap

    class Fake(Revision):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.module = types.SimpleNamespace(upgrade=lambda: None, downgrade=lambda: None)
            self.doc = ""
            self.path = ""

    revs = []
    for rv in graph["revs"]:
        down = tuple(rv["down"]) or None
        if down and len(down) == 1:
            down = down[0]
        revs.append(Fake(rv["id"], down, dependencies=tuple(rv["deps"]) or None,
                         branch_labels=tuple(rv["labels"]) or None))
    return RevisionMap(lambda: revs)


def err_record(e):
    from alembic import util
    from alembic.script import revision as rv

    rec = {}
    inner = e
    if isinstance(e, util.CommandError):
        rec["cli"] = str(e)
        inner = e.__cause__ or e
    names = {rv.ResolutionError: "ResolutionError", rv.MultipleHeads: "MultipleHeadsError",
             rv.RangeNotAncestorError: "RangeNotAncestorError", rv.RevisionError: "RevisionError"}
    for cls, name in names.items():
        if type(inner) is cls or (cls is rv.RevisionError and isinstance(inner, cls) and "type" not in rec):
            rec["type"] = name
            break
    if "type" not in rec:
        if isinstance(inner, util.CommandError):
            rec["type"] = "RevisionError"
        else:
            rec["type"] = "crash:" + type(inner).__name__
    rec["msg"] = str(inner)
    if isinstance(inner, rv.ResolutionError):
        rec["arg"] = inner.argument
    return rec


def run_steps(rm, steps, rows):
    from alembic.runtime.migration import HeadMaintainer, RevisionStep

    writes = []

    class Rec(HeadMaintainer):
        def _insert_version(self, v):
            assert v not in self.heads
            self.heads.add(v)
            writes.append(["insert", "", v])

        def _delete_version(self, v):
            self.heads.remove(v)
            writes.append(["delete", v, ""])

        def _update_version(self, f, t):
            assert t not in self.heads
            self.heads.remove(f)
            self.heads.add(t)
            writes.append(["update", f, t])

    hm = Rec(None, rows)
    out = []
    for s in steps:
        del writes[:]
        hm.update_to_step(s)
        if isinstance(s, RevisionStep):
            st = {"rev": s.revision.revision, "dir": "up" if s.is_upgrade else "down"}
        else:
            st = {"rev": s.to_revisions[0] if s.to_revisions else "", "dir": "up" if s.is_upgrade else "down",
                  "from": list(s.from_revisions), "to": list(s.to_revisions)}
        st["writes"] = list(writes)
        st["after"] = sorted(hm.heads)
        out.append(st)
    return out


def script_dir(rm):
    from alembic.script.base import ScriptDirectory

    sd = ScriptDirectory.__new__(ScriptDirectory)
    sd.revision_map = rm
    return sd


def case(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            res = fn()
            rec = {"ok": True, "res": res}
        except Exception as e:  # noqa
            rec = {"ok": False, "err": err_record(e)}
    ws = [str(x.message) for x in w if "downgrade -1" in str(x.message)]
    if ws:
        rec["warn"] = ws
    return rec


def gen_cases(gi, graph, rnd):
    rm = load(graph)
    rm._revision_map
    sd = script_dir(rm)
    ids = [r["id"] for r in graph["revs"]]
    labels = [l for r in graph["revs"] for l in r["labels"]]
    order = {i: k for k, i in enumerate(ids)}

    def anc(i):
        return {r.revision for r in rm._get_ancestor_nodes([rm.get_revision(i)])}

    # row sets
    rowsets = [[]] + [[i] for i in ids]
    heads = list(rm._real_heads)
    rowsets += [heads, list(reversed(heads)), list(rm.heads)]
    pairs = []
    for a in ids:
        for b in ids:
            if a < b and a not in anc(b) and b not in anc(a):
                pairs.append([a, b])
    rnd.shuffle(pairs)
    rowsets += pairs[:6]
    over = [[a, b] for a in ids for b in ids if a != b and a in anc(b)]
    rnd.shuffle(over)
    rowsets += over[:2]
    rowsets.append(["zzzz"])

    specs = ["heads", "head", "base", "+1", "+2", "+3", "-1", "-2", "-3", "current", "zzzz", "",
             "head-1", "heads-1", "base+1", "base+2", "+0", "-0"]
    for i in ids:
        specs += [i, i + "+1", i + "-1", i + "@head", i + "@heads", i + "@base", i + "+2", i + "-2"]
        if len(i) > 2:
            specs += [i[:3], i[:4]]
    for l in labels:
        specs += [l, l + "@head", l + "@heads", l + "@base", l + "@+1", l + "@-1", l + "@+2",
                  l + "@base+1", l + "@head-1", l + "@" + rnd.choice(ids), l + "@-2"]
    for _ in range(4):
        specs.append(rnd.choice(ids) + "@" + rnd.choice(ids))

    out = []

    def push(op, **kw):
        kw["g"] = gi
        kw["op"] = op
        out.append(kw)

    for spec in specs:
        rows = rnd.choice(rowsets)
        push("up", spec=spec, rows=rows,
             **case(lambda: run_steps(rm, sd._upgrade_revs(spec, tuple(rows)), rows)))
        rows = rnd.choice(rowsets)
        push("down", spec=spec, rows=rows,
             **case(lambda: run_steps(rm, sd._downgrade_revs(spec, tuple(rows)), rows)))
    for rows in rowsets:
        for spec in rnd.sample(specs, 3):
            push("up", spec=spec, rows=rows,
                 **case(lambda: run_steps(rm, sd._upgrade_revs(spec, tuple(rows)), rows)))
            push("down", spec=spec, rows=rows,
                 **case(lambda: run_steps(rm, sd._downgrade_revs(spec, tuple(rows)), rows)))
    stamp_specs = ["heads", "head", "base", "zzzz"] + ids + [l + "@head" for l in labels] + \
                  [l + "@base" for l in labels] + labels
    for _ in range(25):
        k = rnd.choice([1, 1, 1, 2])
        targets = rnd.sample(stamp_specs, min(k, len(stamp_specs)))
        rows = rnd.choice(rowsets)
        push("stamp", specs=targets, rows=rows,
             **case(lambda: run_steps(rm, sd._stamp_revs(tuple(targets), tuple(rows)), rows)))
    hist_specs = ["", "base", "heads", "head", "-1", "-2", "-5", "+1", "+2", "+9"] + ids + \
                 [l + "@head" for l in labels] + [l + "@base" for l in labels] + \
                 [i + "@base" for i in ids[:3]]
    for _ in range(25):
        lo, up = rnd.choice(hist_specs), rnd.choice(hist_specs)
        push("history", lower=lo, upper=up,
             **case(lambda: [r.revision for r in sd.walk_revisions(lo or "base", up or "heads")]))
    for spec in specs:
        if spec in ("current",):
            continue
        m = __import__("re").match(r"(?:(.+?)@)?(\w+)?((?:\+|-)\d+)", spec)
        if m and m.group(2):
            continue  # relative with a symbol: get_revisions does not walk
        def resolve():
            res = []
            for r in rm.get_revisions(spec):
                if r is None:
                    res.append(None)
                elif r == "base":
                    res.append("base")
                else:
                    res.append(r.revision)
            return res
        push("resolve", spec=spec, **case(resolve))
    for rows in rowsets:
        push("current", rows=rows,
             **case(lambda: sorted((r.revision for r in sd.get_all_current(tuple(rows))), key=order.get)))
    info = {
        "heads": list(rm.heads),
        "realheads": list(rm._real_heads),
        "bases": list(rm.bases),
        "labels": {i: sorted(rm._revision_map[i].branch_labels) for i in ids},
    }
    return out, info


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--merge":
        merge(sys.argv[2:])
        return
    G = graphs()
    rnd = random.Random(99)
    all_cases = []
    infos = []
    for gi, g in enumerate(G):
        cases, info = gen_cases(gi, g, rnd)
        all_cases += cases
        infos.append(info)
    json.dump({"graphs": G, "info": infos, "cases": all_cases}, sys.stdout)


def merge(paths):
    docs = [json.load(open(p)) for p in paths]
    base = docs[0]
    for d in docs[1:]:
        if d["info"] != base["info"]:
            raise SystemExit("graph info differs between seeds")
    out_cases = []
    for k, c in enumerate(base["cases"]):
        others = [d["cases"][k] for d in docs]
        cm = dict(c)
        if any(o["ok"] != c["ok"] for o in others):
            cm["unstable"] = "outcome"
        elif not c["ok"]:
            if any(o["err"] != c["err"] for o in others):
                cm["unstable"] = "error"
        elif c["op"] in ("up", "down", "stamp"):
            seqs = [[(s["rev"], s["dir"]) for s in o["res"]] for o in others]
            if any(s != seqs[0] for s in seqs):
                cm["unstable"] = "order"
            else:
                for i, st in enumerate(c["res"]):
                    if any(o["res"][i]["writes"] != st["writes"] or o["res"][i]["after"] != st["after"]
                           for o in others):
                        st["unstable"] = True
        elif c["op"] in ("history", "resolve", "current"):
            if any(o["res"] != c["res"] for o in others):
                cm["unstable"] = "order"
        out_cases.append(cm)
    base["cases"] = out_cases
    json.dump(base, sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
