"""Run Alembic 1.8.1 in-process, capturing exit status, stdout, "Running ..." log
lines, warnings and the error message.

Patches applied (env ALEMBIC_PATCH, default "sorted"):
  sorted : load version files in sorted file-name order (Alembic >= 1.10; 1.8.1
           uses os.listdir order). DESIGN.md/ALEMBIC.md: retort follows newest.
Set ALEMBIC_PATCH="" to run stock 1.8.1. Alembic 1.8.1 also lacks the fix of
Alembic issue #1373 (1.13: a downgrade that unmerges does not re-insert a
parent implied by another parent), which retort follows: a graph such as
`a1; b1 [depends on a1]; m1 < a1, b1` then `upgrade heads; downgrade b1`
differs there (Alembic 1.8.1 rows [a1, b1], retort [b1]); run against
Alembic >= 1.13 to compare that too.

CLI use (for reproducing by hand):
  python3 alembic_runner.py -c DIR/alembic.ini upgrade heads
"""
import io
import logging
import os
import sys
import warnings

sys.dont_write_bytecode = True

from alembic import util  # noqa: E402
from alembic.config import CommandLine, Config  # noqa: E402
from alembic.script.base import Script  # noqa: E402
from alembic.runtime import migration as _mig  # noqa: E402

PATCHES = set(p for p in os.environ.get("ALEMBIC_PATCH", "sorted").split(",") if p)

if "sorted" in PATCHES:
    _orig_list = Script._list_py_dir.__func__

    @classmethod
    def _sorted_list(cls, scriptdir, path):
        return sorted(_orig_list(cls, scriptdir, path))

    Script._list_py_dir = _sorted_list

class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


_handler = _ListHandler()
_lg = logging.getLogger("alembic")
_lg.setLevel(logging.INFO)
_lg.addHandler(_handler)
_lg.propagate = False

_cli = CommandLine(prog="alembic")


def run(ini, argv):
    """Returns dict(rc, stdout, log, warnings, error)."""
    _handler.lines = []
    out = io.StringIO()
    res = {"rc": 0, "error": None}
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        try:
            try:
                options = _cli.parser.parse_args(argv)
            except SystemExit as e:
                res["rc"] = 2
                res["error"] = "usage"
                raise _Done()
            if not hasattr(options, "cmd"):
                res["rc"] = 2
                res["error"] = "usage"
                raise _Done()
            cfg = Config(file_=ini, cmd_opts=options, stdout=out)
            fn, positional, kwarg = options.cmd
            fn(cfg, *[getattr(options, k, None) for k in positional],
               **dict((k, getattr(options, k, None)) for k in kwarg))
        except _Done:
            pass
        except util.CommandError as e:
            res["rc"] = 255
            res["error"] = str(e)
        except Exception as e:  # uncaught: traceback in the real CLI, exit 1
            res["rc"] = 1
            res["error"] = "%s: %s" % (type(e).__name__, e)
    res["stdout"] = out.getvalue()
    res["log"] = [l for l in _handler.lines if l.startswith("Running ")]
    res["warnings"] = [str(w.message) for w in wl]
    return res


class _Done(Exception):
    pass


if __name__ == "__main__":
    args = sys.argv[1:]
    ini = "alembic.ini"
    if args[:1] == ["-c"]:
        ini = args[1]
        args = args[2:]
    r = run(ini, args)
    sys.stdout.write(r["stdout"])
    for l in r["log"]:
        print("LOG:", l)
    for w in r["warnings"]:
        print("WARN:", w)
    if r["error"]:
        print("FAILED:", r["error"])
    sys.exit(r["rc"])
