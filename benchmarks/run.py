"""Benchmark: the whole check against proselint, Vale and `mkdocs build`, cold and warm, on 1,000 and 10,000 pages.

    .venv/bin/python benchmarks/run.py                     # 1,000 and 10,000 pages (about half an hour)
    .venv/bin/python benchmarks/run.py --pages 1000        # one size
    .venv/bin/python benchmarks/run.py --quick             # 200 pages, one repetition, a few minutes

For each size, on a corpus made by `benchmarks/make_corpus.py` (made again
unless --keep-corpus), it times in separate processes, as a user runs them:

- `python -m linters check --format json` cold (the cache folder deleted
  first), warm with nothing changed, and warm after a one-page edit (a new
  sentence in one page each time); the warm run also in the text format;
- the cold check with Vale (`vale: required`), and Vale alone over the pages;
- proselint over the same pages (its command line, one process);
- `mkdocs build` without the plugin, with it (cold cache) and with it again
  (warm cache), by default only for the smallest size: MkDocs itself takes
  about a minute per 1,000 pages;
- a `mkdocs serve` rebuild after a one-page edit, in one process as `serve`
  does it: the time spent in the plugin's hooks, and the whole rebuild with
  and without the plugin; the same as `mkdocs serve --dirty` (MkDocs renders
  only the pages whose source is newer than their output);
- loading every page's result from the cache, in this process.

Every time is the best of --repeat runs, as wall time and as CPU time (user +
system, of the process and its workers): the machine may be shared, and CPU
time is what the work costs. Memory is the peak resident set of the largest
process (from wait4) and the peak proportional set size of the whole process
tree (sampled from /proc every 0.1 s), which counts pages shared by forked
workers once. The results are printed and written to benchmarks/results.md
with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from make_corpus import make_corpus  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LINTERS_NO_SERVER": "1"}  # every check in a process of its own, but in the check-server rows
ENV.pop("CI", None)
EDIT_PAGE = "docs/clinic-0000/what-to-expect.md"


def snapshot_package() -> Path:
    """A copy of the `linters` package that every timed process imports (PYTHONPATH comes before
    the editable install), so edits to the tree during a long run neither mix two versions nor
    change the cache's code key between a run that fills the cache and one that reads it."""
    folder = Path(tempfile.mkdtemp(prefix="bench-linters-"))
    shutil.copytree(REPO / "linters", folder / "linters", ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compiled now, as an installed package is: with PYTHONDONTWRITEBYTECODE set (CI images
    # often set it) every timed process would otherwise compile every module from source.
    compileall.compile_dir(folder / "linters", quiet=1)
    ENV["PYTHONPATH"] = os.pathsep.join([str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])
    return folder


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_mb: float  # largest single process
    tree_mb: float  # peak PSS of the process and its children together
    code: int
    stderr: str = ""

    @property
    def parsed(self) -> int | None:
        """Pages the check parsed, from its --verbose line."""
        m = re.search(r"pages in [\d.]+ s: (\d+) parsed", self.stderr)
        return int(m.group(1)) if m else None


@dataclass
class Best:
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return min(r.cpu for r in self.runs)

    @property
    def maxrss_mb(self) -> float:
        return max(r.maxrss_mb for r in self.runs)

    @property
    def tree_mb(self) -> float:
        return max(r.tree_mb for r in self.runs)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _pss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def measure(cmd: list[str], cwd: Path, stdout=subprocess.DEVNULL, env: dict | None = None) -> Run:
    """Run a command to its end: wall time, CPU time and memory of it and its children."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=err, env=env or ENV)
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], _pss_mb(_descendants(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[0], proc.returncode, text)


def best(n: int, make_run, before=None) -> Best:
    out = Best()
    for _ in range(n):
        if before is not None:
            before()
        out.runs.append(make_run())
    return out


def check_cmd(*extra: str) -> list[str]:
    return [PY, "-m", "linters", "check", "--verbose", *extra]


def checked(run: Run, what: str, parsed: int | None = None) -> Run:
    """A check run that worked, and parsed as many pages as the case means (all, none, one)."""
    _ok(run, what)
    if parsed is not None and run.parsed != parsed:
        raise SystemExit(f"{what}: expected {parsed} pages parsed, the check says {run.parsed}: {run.stderr.strip()[-300:]}")
    return run


def _ok(run: Run, what: str) -> Run:
    if run.code not in (0, 1):
        raise SystemExit(f"{what} failed (exit {run.code}): {run.stderr.strip()[-600:]}")
    return run


def _set_vale(root: Path, value: str) -> None:
    path = root / "mkdocs.yml"
    text = path.read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.strip().startswith("vale:")]
    out = []
    for line in lines:
        out.append(line)
        if line.strip() == "- medical-claims:":
            out.append(f"      vale: {value}")
    path.write_text("\n".join(out) + "\n", "utf-8")


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{os.cpu_count()} (nproc {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()})",
        "cpu model": model or platform.processor(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


# -- a `mkdocs serve` rebuild, in one process (run as `run.py --serve-probe ROOT CONFIG`)

SERVE_PROBE = r'''
import json, os, sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

root, config_name, page = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
dirty = sys.argv[5] == "dirty"  # as `mkdocs serve --dirty`: a rebuild renders only the pages whose source is newer than their output
os.chdir(root)
spent = {}

def timed(plugin):
    for name in [n for n in dir(plugin) if n.startswith("on_") and n != "on_startup"]:
        fn = getattr(plugin, name)
        def wrap(*a, _fn=fn, _n=name, **k):
            t = time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                spent[_n] = spent.get(_n, 0.0) + time.process_time() - t
        setattr(plugin, name, wrap)

def one(first):
    config = load_config(config_file=str(root / config_name), site_dir=str(root / "site-serve"))
    if first:
        config.plugins.on_startup(command="serve", dirty=dirty)
    ours = [p for name, p in config.plugins.items() if name == "medical-claims"]
    if first and ours:
        timed(ours[0])  # wrapped now, used from the next load_config on, as serve reloads it
    spent.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    build(config, serve_url="http://127.0.0.1:8000/", dirty=dirty and not first)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "hooks": dict(spent), "stats": getattr(ours[0], "stats", {}) if ours else {}}

out = {"first": one(True)}
path = root / page
original = path.read_text("utf-8")
try:
    rebuilds = []
    for i in range(int(sys.argv[4])):
        path.write_text(original + f"\nThis page was edited for rebuild {i} of probe {os.getpid()}.\n", "utf-8")  # new to the cache too
        rebuilds.append(one(False))
    out["rebuilds"] = rebuilds
finally:
    path.write_text(original, "utf-8")
print(json.dumps(out))
'''


def serve_probe(root: Path, config: str, page: str, rebuilds: int, dirty: bool = False) -> dict:
    proc = subprocess.run(
        [PY, "-c", SERVE_PROBE, str(root), config, page, str(rebuilds), "dirty" if dirty else "clean"], capture_output=True, text=True, env=ENV, timeout=7200
    )
    if proc.returncode != 0:
        raise SystemExit(f"serve probe failed: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


CACHE_PROBE = r'''
import pickle, sqlite3, sys, time, gc
from pathlib import Path
import linters.engine  # noqa: F401  (the classes the entries are made of)
db = sqlite3.connect(Path(sys.argv[1]) / ".linters-cache" / "results.sqlite")
size = sum(len(v) for (v,) in db.execute("SELECT value FROM entries"))
gc.disable()
start = time.perf_counter()
rows = db.execute("SELECT key, value FROM entries").fetchall()
read = time.perf_counter()
values = [pickle.loads(v) for _, v in rows]
done = time.perf_counter()
print(len(values), size, read - start, done - read)
'''


def cache_probe(root: Path) -> tuple[int, int, float, float]:
    proc = subprocess.run([PY, "-c", CACHE_PROBE, str(root)], capture_output=True, text=True, env=ENV, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"cache probe failed: {proc.stderr.strip()[-500:]}")
    n, size, read, load = proc.stdout.split()
    return int(n), int(size), float(read), float(load)


# -- one size


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process so far (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_server(root: Path, repeat: int, jobs: list[str], edit) -> tuple[Best, Best]:
    """`check` handed to a running check server (`python -m linters server`), after a one-page edit and with
    nothing changed. CPU: the client's and the server's (read from /proc before and after each run)."""
    sockets = Path(tempfile.mkdtemp(prefix="lsrv", dir="/tmp"))
    env = {**ENV, "XDG_RUNTIME_DIR": str(sockets)}
    env.pop("LINTERS_NO_SERVER")
    server = subprocess.Popen([PY, "-m", "linters", "server", "--idle", "30"], cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    try:
        if "listening" not in server.stderr.readline():
            raise SystemExit("the check server did not start")

        def through_server(what: str, parsed: int) -> Run:
            before = _cpu_seconds(server.pid)
            run = checked(measure(check_cmd("--format", "json", *jobs), root, env=env), what, parsed)
            return replace(run, cpu=run.cpu + _cpu_seconds(server.pid) - before)

        through_server("the check server's first check", 0)  # the server reads the disk cache once
        edited = best(repeat, lambda: through_server("check after an edit (server)", 1), before=edit)
        warm = best(repeat, lambda: through_server("warm check (server)", 0))
        return edited, warm
    finally:
        subprocess.run([PY, "-m", "linters", "server", "--stop"], cwd=root, env=env, capture_output=True, timeout=60)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(sockets, ignore_errors=True)


def bench_size(n: int, args, out: dict) -> None:
    root = REPO / "benchmarks" / "corpus" / str(n)
    if not (args.keep_corpus and (root / "mkdocs.yml").is_file()):
        print(f"[{n}] making the corpus ...", flush=True)
        make_corpus(n, root)
    pages = sum(1 for _ in (root / "docs").rglob("*.md"))
    size_mb = sum(p.stat().st_size for p in (root / "docs").rglob("*.md")) / 1e6
    res: dict = {"pages": pages, "corpus_mb": size_mb}
    out[n] = res
    cache = root / ".linters-cache"
    R = args.repeat if n <= 2000 else min(args.repeat, 2)  # a cold run of 10,000 pages takes minutes
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    # The floor under every command-line run: the interpreter, and it with our imports (no page read).
    res["python"] = best(R, lambda: _ok(measure([PY, "-c", "pass"], root), "python"))
    res["startup"] = best(R, lambda: _ok(measure([PY, "-m", "linters", "check", "--help"], root), "linters check --help"))
    # The floor under any check that parses with markdown-it-py: reading the pages and a plain CommonMark parse, in as many processes.
    floor = [PY, str(REPO / "benchmarks" / "parse_floor.py"), "docs", "--jobs", str(args.jobs or len(os.sched_getaffinity(0)))]
    res["parse_floor"] = best(R, lambda: _ok(measure(floor, root), "parse floor"))
    print(f"[{n}] check cold ...", flush=True)
    res["cold"] = best(R, lambda: checked(measure(check_cmd("--format", "json", *jobs), root), "cold check", pages), before=clear_cache)
    res["cold_github"] = best(1 if n > 2000 else R, lambda: checked(measure(check_cmd("--format", "github", *jobs), root), "cold check (github)", pages), before=clear_cache)
    res["cold_serial"] = best(1 if n > 2000 else R, lambda: checked(measure(check_cmd("--format", "json", "--jobs", "1"), root), "cold serial check", pages), before=clear_cache)
    print(f"[{n}] check warm ...", flush=True)
    _ok(measure(check_cmd("--format", "json", *jobs), root), "filling the cache")
    res["warm"] = best(R, lambda: checked(measure(check_cmd("--format", "json", *jobs), root), "warm check", 0))
    res["warm_text"] = best(R, lambda: checked(measure(check_cmd("--format", "text", *jobs), root), "warm check (text)", 0))
    res["warm_github"] = best(R, lambda: checked(measure(check_cmd("--format", "github", *jobs), root), "warm check (github)", 0))
    page = root / EDIT_PAGE
    original = page.read_text("utf-8")
    edits = iter(range(10_000))

    def edit() -> None:
        page.write_text(original + f"\nThe clinic added this note, number {next(edits)}.\n", "utf-8")

    try:
        res["edit"] = best(R, lambda: checked(measure(check_cmd("--format", "json", *jobs), root), "check after an edit", 1), before=edit)
        res["edit_github"] = best(R, lambda: checked(measure(check_cmd("--format", "github", *jobs), root), "check after an edit", 1), before=edit)
        print(f"[{n}] check through the check server ...", flush=True)
        res["edit_server"], res["warm_server"] = bench_server(root, R, jobs, edit)
    finally:
        page.write_text(original, "utf-8")
    _ok(measure(check_cmd("--format", "json", *jobs), root), "back to the original page")
    res["cache_probe"] = cache_probe(root)

    if not args.skip_vale:
        from linters.vale import find_vale

        vale = find_vale(REPO)
        if vale.path:
            ENV["VALE_BIN"] = vale.path  # the corpus has no .tools/bin of its own
            print(f"[{n}] Vale ...", flush=True)
            res["vale_alone"] = best(min(R, 2), lambda: measure([vale.path, "--no-global", "--output=JSON", f"--config={root / '.vale.ini'}", "docs"], root))
            _set_vale(root, "required")
            try:
                res["cold_vale"] = best(min(R, 2), lambda: checked(measure(check_cmd("--format", "json", "--no-cache", *jobs), root), "check with Vale", pages))
            finally:
                _set_vale(root, "off")
        else:
            res["vale_missing"] = vale.problem

    if n <= args.proselint_max:
        print(f"[{n}] proselint ...", flush=True)
        res["proselint"] = best(min(R, 2), lambda: measure([str(Path(PY).parent / "proselint"), "--output-format", "json", "check", "docs"], root))

    if n <= args.mkdocs_max:
        site = Path(tempfile.mkdtemp(prefix="bench-site-"))
        try:
            build = ["-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)]
            # in rounds (without, with cold, with warm), so a change in the shared machine's load hits all three alike
            runs: dict[str, list[Run]] = {"mkdocs_plain": [], "mkdocs_plugin_cold": [], "mkdocs_plugin_warm": []}
            for round_ in range(args.mkdocs_repeat):
                print(f"[{n}] mkdocs build without the plugin, with it (cold cache), with it (warm cache): round {round_ + 1} ...", flush=True)
                runs["mkdocs_plain"].append(_ok(measure([PY, *build, "-f", "mkdocs-noplugin.yml"], root), "mkdocs build"))
                clear_cache()
                runs["mkdocs_plugin_cold"].append(_ok(measure([PY, *build, "-f", "mkdocs.yml"], root), "mkdocs build with the plugin"))
                runs["mkdocs_plugin_warm"].append(_ok(measure([PY, *build, "-f", "mkdocs.yml"], root), "mkdocs build with the plugin"))
            for name, done in runs.items():
                res[name] = Best(runs=done)
        finally:
            shutil.rmtree(site, ignore_errors=True)
        print(f"[{n}] mkdocs serve rebuilds ...", flush=True)
        res["serve_plugin"] = serve_probe(root, "mkdocs.yml", EDIT_PAGE, args.serve_rebuilds)
        res["serve_plain"] = serve_probe(root, "mkdocs-noplugin.yml", EDIT_PAGE, args.serve_rebuilds)
        shutil.rmtree(root / "site-serve", ignore_errors=True)
        print(f"[{n}] mkdocs serve --dirty rebuilds ...", flush=True)
        res["serve_dirty_plugin"] = serve_probe(root, "mkdocs.yml", EDIT_PAGE, args.serve_rebuilds, dirty=True)
        res["serve_dirty_plain"] = serve_probe(root, "mkdocs-noplugin.yml", EDIT_PAGE, args.serve_rebuilds, dirty=True)
        shutil.rmtree(root / "site-serve", ignore_errors=True)


def repo_serve(args, out: dict) -> None:
    """The writers' case: `serve` on this repo's own site (a copy), Vale as configured."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-repo-"))
    try:
        for name in ("docs", "claims", "styles"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, tmp / name, ignore=shutil.ignore_patterns(".lock", "*.tmp*"))
        for name in ("mkdocs.yml", ".vale.ini"):
            if (REPO / name).is_file():
                shutil.copy2(REPO / name, tmp / name)
        print("[repo] mkdocs serve rebuilds on this repo's site ...", flush=True)
        out["repo_serve"] = serve_probe(tmp, "mkdocs.yml", "docs/what-to-expect.md", args.serve_rebuilds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- report


def _rate(pages: int, seconds: float) -> str:
    return f"{pages / seconds:,.0f}" if seconds > 0 else "-"


def _row(name: str, b: Best | None, pages: int, note: str = "") -> str:
    if b is None:
        return ""
    return f"| {name} | {b.wall:.2f} | {b.cpu:.2f} | {_rate(pages, b.wall)} | {_rate(pages, b.cpu)} | {b.maxrss_mb:,.0f} | {b.tree_mb:,.0f} | {note} |"


def _serve_lines(probe: dict, plain: dict | None = None) -> list[str]:
    rebuilds = probe["rebuilds"]
    hooks = [sum(r["hooks"].values()) for r in rebuilds]
    detail = ", ".join(f"{k} {v * 1000:.0f}" for k, v in sorted(min(rebuilds, key=lambda r: sum(r["hooks"].values()))["hooks"].items()))
    lines = [
        f"- first build: {probe['first']['wall']:.1f} s wall, {probe['first']['cpu']:.1f} s CPU (plugin stats {probe['first']['stats']})",
        f"- rebuild after a one-page edit: {min(r['wall'] for r in rebuilds):.2f} s wall, {min(r['cpu'] for r in rebuilds):.2f} s CPU; "
        f"plugin stats {rebuilds[-1]['stats']}",
        f"- CPU time in the plugin's hooks per rebuild: **{min(hooks) * 1000:.0f} ms** (best of {len(hooks)}; ms by hook: {detail})",
    ]
    if plain:
        pr = plain["rebuilds"]
        lines.append(
            f"- the same rebuild without the plugin: {min(r['wall'] for r in pr):.2f} s wall, {min(r['cpu'] for r in pr):.2f} s CPU "
            f"(difference in CPU, claim-tag rendering included: {(min(r['cpu'] for r in rebuilds) - min(r['cpu'] for r in pr)) * 1000:+.0f} ms)"
        )
    return lines


def report(out: dict, info: dict, args) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Made by `benchmarks/run.py` (" + " ".join(sys.argv[1:]) + "); corpora by `benchmarks/make_corpus.py`.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        f"Times are the best of {args.repeat} runs (above 2,000 pages, proselint and Vale: of {min(args.repeat, 2)}; mkdocs: of {args.mkdocs_repeat}). "
        "CPU is user + system time of the process and its worker processes. The machine is shared, so wall times vary with its load; "
        "CPU times are steadier. Memory: peak RSS of the largest process, and peak PSS of the whole process tree (workers included, shared pages counted once).",
        "",
    ]
    sizes = sorted(k for k in out if isinstance(k, int))
    for n in sizes:
        r = out[n]
        p = r["pages"]
        lines += [
            f"## {p:,} pages ({r['corpus_mb']:.1f} MB of Markdown)",
            "",
            "| run | wall s | CPU s | pages/s (wall) | pages/s (CPU) | max RSS MB | tree PSS MB | |",
            "|---|---|---|---|---|---|---|---|",
        ]
        rows = [
            _row("python -c pass", r.get("python"), p, "the interpreter alone"),
            _row("linters check --help", r.get("startup"), p, "interpreter and imports: the floor of any run"),
            _row("markdown-it-py parse alone", r.get("parse_floor"), p, f"`benchmarks/parse_floor.py`: read and parse (CommonMark preset, no plugins, no rules), {args.jobs or len(os.sched_getaffinity(0))} processes: the floor of a check that parses with it"),
            _row("check, cold (empty cache)", r.get("cold"), p, f"{args.jobs or os.cpu_count()} processes"),
            _row("check, cold, github format", r.get("cold_github"), p, "github annotations"),
            _row("check, cold, one process", r.get("cold_serial"), p, "--jobs 1"),
            _row("check, warm, nothing changed", r.get("warm"), p, "json"),
            _row("check, warm, nothing changed, text", r.get("warm_text"), p, "text format (rich)"),
            _row("check, warm, nothing changed, github", r.get("warm_github"), p, "github annotations"),
            _row("check, warm, one page edited", r.get("edit"), p, "json"),
            _row("check, warm, one page edited, github", r.get("edit_github"), p, "github annotations"),
            _row("check, warm, one page edited, check server", r.get("edit_server"), p, "json; `linters server` running (CPU: client + server; memory: the client)"),
            _row("check, warm, nothing changed, check server", r.get("warm_server"), p, "json; `linters server` running (CPU: client + server; memory: the client)"),
            _row("check with Vale, cold", r.get("cold_vale"), p, "vale: required, --no-cache"),
            _row("Vale alone", r.get("vale_alone"), p, "vale over docs/"),
            _row("proselint", r.get("proselint"), p, "proselint check docs"),
            _row("mkdocs build, no plugin", r.get("mkdocs_plain"), p, ""),
            _row("mkdocs build, plugin, cold cache", r.get("mkdocs_plugin_cold"), p, ""),
            _row("mkdocs build, plugin, warm cache", r.get("mkdocs_plugin_warm"), p, ""),
        ]
        lines += [row for row in rows if row]
        lines.append("")
        if "proselint" in r:
            pl, cold = r["proselint"], r["cold"]
            lines.append(
                f"- cold check vs proselint: **{pl.wall / cold.wall:.1f}x** faster by wall time, {pl.cpu / cold.cpu:.1f}x by CPU time "
                f"(one process: {pl.wall / r['cold_serial'].wall:.1f}x wall, {pl.cpu / r['cold_serial'].cpu:.1f}x CPU)"
            )
        lines.append(f"- cold check: **{_rate(p, r['cold'].wall)} pages/s** on this machine (Vale excluded)")
        if "parse_floor" in r:
            floor = r["parse_floor"]
            lines.append(
                f"- the floor, markdown-it-py's parse alone on the same pages and cores: {floor.wall:.2f} s, {_rate(p, floor.wall)} pages/s"
                + (f", {r['proselint'].wall / floor.wall:.1f}x proselint (20x proselint is {r['proselint'].wall / 20:.2f} s)" if "proselint" in r else "")
                + f"; the cold check takes {r['cold'].wall / floor.wall:.1f}x the floor"
            )
        if "cold_vale" in r:
            lines.append(f"- cold check with Vale: {_rate(p, r['cold_vale'].wall)} pages/s")
        if "mkdocs_plain" in r:
            plain, cold, warm = r["mkdocs_plain"], r["mkdocs_plugin_cold"], r["mkdocs_plugin_warm"]
            lines.append(
                f"- the plugin adds to `mkdocs build`: {100 * (cold.wall / plain.wall - 1):+.0f}% wall, {100 * (cold.cpu / plain.cpu - 1):+.0f}% CPU (cold cache); "
                f"{100 * (warm.wall / plain.wall - 1):+.0f}% wall, {100 * (warm.cpu / plain.cpu - 1):+.0f}% CPU (warm cache)"
            )
        entries, size, read, load = r["cache_probe"]
        lines.append(f"- the cache: {entries:,} entries, {size / 1e6:.1f} MB pickled; reading them {read * 1000:.0f} ms, unpickling {load * 1000:.0f} ms")
        if "serve_plugin" in r:
            lines += ["", f"`mkdocs serve` on {p:,} pages (preview mode, highlights on):"] + _serve_lines(r["serve_plugin"], r.get("serve_plain"))
        if "serve_dirty_plugin" in r:
            lines += ["", f"`mkdocs serve --dirty` on {p:,} pages (MkDocs renders only the edited page, and generated pages that changed):"]
            lines += _serve_lines(r["serve_dirty_plugin"], r.get("serve_dirty_plain"))
        lines.append("")
    if len(sizes) >= 2:
        small, big = out[sizes[0]], out[sizes[-1]]
        ratio_pages = big["pages"] / small["pages"]
        lines += [
            f"## Growth: {small['pages']:,} → {big['pages']:,} pages ({ratio_pages:.0f}x)",
            "",
            f"- cold check: {big['cold'].wall / small['cold'].wall:.1f}x wall, {big['cold'].cpu / small['cold'].cpu:.1f}x CPU",
            f"- warm check: {big['warm'].wall / small['warm'].wall:.1f}x wall, {big['warm'].cpu / small['warm'].cpu:.1f}x CPU",
            f"- peak memory of the cold check at {big['pages']:,} pages: {big['cold'].maxrss_mb:,.0f} MB largest process, {big['cold'].tree_mb:,.0f} MB whole tree "
            f"(JSON report); {big['cold_github'].maxrss_mb:,.0f} MB and {big['cold_github'].tree_mb:,.0f} MB with the github format",
            "",
        ]
    if "repo_serve" in out:
        lines += ["## `mkdocs serve` on this repo's own site (Vale as configured)", ""] + _serve_lines(out["repo_serve"]) + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--quick", action="store_true", help="200 pages, one repetition")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, help="--jobs for the check (default: the check's own default, one per CPU)")
    ap.add_argument("--mkdocs-max", type=int, default=1000, help="run mkdocs builds only for sizes up to this (default 1000)")
    ap.add_argument("--mkdocs-repeat", type=int, default=1)
    ap.add_argument("--proselint-max", type=int, default=1000, help="run proselint only for sizes up to this (default 1000)")
    ap.add_argument("--serve-rebuilds", type=int, default=2)
    ap.add_argument("--skip-vale", action="store_true")
    ap.add_argument("--keep-corpus", action="store_true", help="reuse benchmarks/corpus/<n> when it exists")
    ap.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results.md")
    args = ap.parse_args(argv)
    if args.quick:
        args.pages, args.repeat, args.serve_rebuilds = [200], 1, 1
    info = machine()
    snapshot = snapshot_package()
    info["code"] = f"a copy of linters/ taken at the start ({subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO, capture_output=True, text=True).stdout.strip()} + working tree)"
    out: dict = {}
    for n in args.pages:
        bench_size(n, args, out)
    repo_serve(args, out)
    info["load at the end"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    shutil.rmtree(snapshot, ignore_errors=True)
    text = report(out, info, args)
    print()
    print(text)
    args.output.write_text(text, "utf-8")
    print(f"\n(written to {args.output})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
