"""``filterlib check --format json`` throughput and peak memory, with and without ``--jobs 2``.

Writes files of single LIMIT orders (JSON Lines; ``benchmarks/orders.py``'s orders, half of them
breaking one rule, or the share ``--rejected`` gives, cycled to the wanted length) in a
temporary directory, then runs
``python -m filterlib check FILE --format json [--jobs 2] > /dev/null`` (``--input json``: the same
orders as one JSON array; ``--input csv``: as CSV) on each and reports:

* lines/second (wall clock of the whole command, snapshot load and worker start included), and
  the ``--jobs 2`` / ``--jobs 1`` ratio;
* CPU microseconds per line (user + system time of the command and its workers, from
  ``/usr/bin/time``): what a line costs whatever else the machine runs, which wall-clock rates
  on a shared machine do not show;
* peak memory: the largest single process (``/usr/bin/time -v``'s maximum resident set size,
  else ``RUSAGE_CHILDREN`` ru_maxrss) and the largest sum over the process tree (parent plus
  workers, sampled from /proc every 20 ms where there is /proc), for a small and a large file,
  to show whether memory grows with the input;
* CPU microseconds per line of the CLI's own process and of its workers, apart (``cli.main``
  in this process, ``getrusage`` around it);
* what one worker's work costs per line, step by step (decode, check, violations, render), and
  a cProfile of it (``_check_chunk`` over chunks of the same lines, after a warm-up pass).

    python benchmarks/cli.py [--lines 1000000] [--small 250000] [--jobs 2] [--profile-lines 20000]
        [--input jsonl|json|csv] [--rejected 0.5]

``--write FILE`` only writes ``--lines`` such orders to FILE and exits, for timing
``filterlib check FILE`` as a user runs it (the README's figures):

    python benchmarks/cli.py --write orders.jsonl --lines 500000
    time filterlib check orders.jsonl --jobs 2 > verdicts.txt
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
from orders import Order, generate

from filterlib import cli
from filterlib.cli import check as cli_check
from filterlib.cli.inputs import Chunk, CsvBlock, open_chunks
from filterlib.cli.outputs import Options
from filterlib.lines import check_line


def write_orders(
    path: Path, lines: int, distinct: int, fmt: str = "jsonl", rejected: float = 0.5
) -> None:
    """``lines`` orders (one per line) as JSON Lines, a JSON array (one element per line) or
    CSV (a header row, then one row per order: ``lines`` + 1 lines). A share ``rejected`` of
    the distinct orders (0 to 1, evenly spread) break one rule; the others pass."""
    orders = _mixed(distinct, rejected)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = sorted({k for o in orders for k in o.params})
        with pq.ParquetWriter(path, pa.schema([(n, pa.string()) for n in names])) as parquet:
            for i in range(0, lines, distinct):
                part = orders[: min(distinct, lines - i)]
                parquet.write_table(pa.table({n: [o.params.get(n) for o in part] for n in names}))
        return
    if fmt == "csv":
        columns = sorted({k for o in orders for k in o.params})
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        header = buf.getvalue().encode()
        encoded = []
        for o in orders:
            buf.seek(0)
            buf.truncate()
            writer.writerow([o.params.get(c, "") for c in columns])
            encoded.append(buf.getvalue().encode())
    else:
        header = b"[\n" if fmt == "json" else b""
        sep = b",\n" if fmt == "json" else b"\n"
        encoded = [orjson.dumps(o.params) + sep for o in orders]
    with path.open("wb") as fh:
        fh.write(header)
        for i in range(0, lines, distinct):
            chunk = encoded[: min(distinct, lines - i)]
            if fmt == "json" and i + len(chunk) >= lines:
                chunk = [*chunk[:-1], chunk[-1].removesuffix(b",\n") + b"\n]\n"]
            fh.writelines(chunk)


def _mixed(distinct: int, rejected: float) -> list[Order]:
    """``distinct`` orders, a share ``rejected`` of them breaking one rule, evenly spread."""
    drawn, _ = generate(2 * distinct)
    valid = [o for o in drawn if o.breaks is None]
    invalid = [o for o in drawn if o.breaks is not None]
    # Order i breaks a rule when the running count of rejected orders steps up at i.
    return [
        invalid[i] if int((i + 1) * rejected) > int(i * rejected) else valid[i]
        for i in range(distinct)
    ]


def floor_rate(path: Path) -> float:
    """Lines per second of the floor loop issue 20 measures the command line against: in one
    process, each line read, decoded with ``orjson.loads``, and a constant line written."""
    constant = b'{"ok":true}\n'
    with path.open("rb") as fh, open(os.devnull, "wb") as out:
        start = time.perf_counter()
        n = 0
        for line in fh:
            orjson.loads(line)
            out.write(constant)
            n += 1
        return n / (time.perf_counter() - start)


def _commit() -> str:
    """The commit measured, with ``+`` when the working tree differs from it."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=here, capture_output=True)
    except OSError:
        return "?"
    return head + ("+" if dirty.stdout.strip() else "") if head else "?"


def _tree_rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in KiB (0 where /proc is missing)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        stack.extend(int(c) for c in children)
    return total


def run_check(path: Path, jobs: int) -> tuple[float, int, int, int, float]:
    """Seconds, exit status, max single-process RSS (KiB), max process-tree RSS (KiB), and CPU
    seconds (user + system, of the command and its workers)."""
    cmd = [sys.executable, "-m", "filterlib", "check", str(path), "--format", "json"]
    if jobs != 1:
        cmd += ["--jobs", str(jobs)]
    gnu_time = shutil.which("time") if os.path.exists("/usr/bin/time") else None
    timefile = path.with_suffix(f".time{jobs}")
    if gnu_time:
        cmd = ["/usr/bin/time", "-v", "-o", str(timefile), *cmd]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    tree_peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            tree_peak[0] = max(tree_peak[0], _tree_rss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = proc.wait()
    elapsed = time.perf_counter() - start
    sampler.join()
    if gnu_time:
        fields = dict(
            line.strip().rsplit(": ", 1)
            for line in timefile.read_text().splitlines()
            if ": " in line
        )
        single = int(fields["Maximum resident set size (kbytes)"])
        cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    else:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        single = usage.ru_maxrss
        if single <= before:
            single = before  # the maximum over children so far: an upper bound
        cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return elapsed, status, single, tree_peak[0], cpu


def _worker_chunks(path: Path, lines: int) -> list[Chunk]:
    """The first ``lines`` lines of ``path``, cut into chunks as the parent cuts them."""
    with path.open("rb") as fh:
        data = b"".join(fh.readline() for _ in range(lines))
    return list(
        open_chunks(
            io.BytesIO(data),
            str(path),
            "auto",
            block_bytes=cli_check.BLOCK_BYTES,
            chunk_records=cli_check.CHUNK_LINES,
            read=[0],
        )
    )


def profile_worker(path: Path, lines: int, top: int) -> str:
    """cProfile of one worker's work: ``_check_chunk`` over the first ``lines`` lines, after one
    unprofiled pass over them (as in most of a long run, the snapshot's symbols are decoded and
    the fast path has learned its passing verdicts)."""
    cli_check._init_worker(None)
    chunks = _worker_chunks(path, lines)
    opts = Options(fmt="json")
    for chunk in chunks:
        cli_check._check_chunk(str(path), chunk, opts)
    prof = cProfile.Profile()
    prof.enable()
    for chunk in chunks:
        cli_check._check_chunk(str(path), chunk, opts)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def costs(path: Path, lines: int) -> str:
    """CPU microseconds per line of each step of one worker's work (``--format json``), after
    one warm-up pass, best of three: a cumulative breakdown, without a profiler's overhead."""
    cli_check._init_worker(None)
    info = cli_check._worker_info
    assert info is not None
    chunks = _worker_chunks(path, lines)
    blocks = [c for c in chunks if isinstance(c, tuple) and not isinstance(c, CsvBlock)]
    raw = [line for _, data in blocks for line in data.split(b"\n") if line]
    opts = Options(fmt="json")

    def worker() -> None:
        for chunk in chunks:
            cli_check._check_chunk(str(path), chunk, opts)

    steps = {
        "split blocks + orjson.loads": lambda: [orjson.loads(line) for line in raw],
        "+ wrapper checks + check()": lambda: [check_line(info, line) for line in raw],
        "+ violations (rejected orders)": lambda: [
            check_line(info, line).verdict.violations for line in raw
        ],
        "+ render + tally (the worker)": worker,
    }
    worker()
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(3):
        for name, step in steps.items():
            start = time.process_time()
            step()
            best[name] = min(best[name], time.process_time() - start)
    return "".join(f"  {name:<32} {t / len(raw) * 1e6:7.2f} us/line\n" for name, t in best.items())


def cpu_split(path: Path, lines: int, jobs: int) -> tuple[float, float, float]:
    """Lines/second, and CPU microseconds per line of the CLI's own process and of its workers:
    ``filterlib check FILE --format json --jobs N`` run in this process (``cli.main``), with
    ``getrusage`` of this process and of its finished children before and after. The split
    shows whether the parent (reading blocks, merging tallies, writing output) or the workers
    (checking) bound a ``--jobs`` run."""
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        argv = ["check", str(path), "--format", "json", "--jobs", str(jobs)]
        cli.main(argv, stdout=sink, stderr=sink)
    wall = time.perf_counter() - start
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)

    def used(a: resource.struct_rusage, b: resource.struct_rusage) -> float:
        return (b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime) / lines * 1e6

    return lines / wall, used(self0, self1), used(kids0, kids1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="filterlib check --jobs throughput and memory")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=250_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=20_000, help="distinct orders cycled")
    parser.add_argument("--profile-lines", type=int, default=20_000)
    parser.add_argument("--input", choices=("jsonl", "json", "csv", "parquet"), default="jsonl")
    parser.add_argument("--top", type=int, default=18)
    parser.add_argument(
        "--rejected", type=float, default=0.5, help="share of orders breaking a rule (0.5)"
    )
    parser.add_argument(
        "--write", metavar="FILE", help="only write --lines orders to FILE (--input's format)"
    )
    parser.add_argument(
        "--runs-only",
        action="store_true",
        help="only the command runs and their ratios (no CPU split, no profile): for 10,000,000",
    )
    args = parser.parse_args(argv)
    if args.write is not None:
        distinct = min(args.distinct, args.lines)
        write_orders(Path(args.write), args.lines, distinct, args.input, args.rejected)
        return 0

    results: dict[tuple[int, int], tuple[float, int, int, int, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n in sorted({args.small, args.lines}):
            files[n] = Path(tmp) / f"orders_{n}.{args.input}"
            write_orders(files[n], n, min(args.distinct, n), args.input, args.rejected)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"python {sys.version.split()[0]}; nproc {os.cpu_count()}; load {load:.2f}; input "
            f"{args.input}; {args.rejected:.0%} rejected; BLOCK_BYTES {cli_check.BLOCK_BYTES} "
            f"({cli_check.COLUMN_BLOCK_BYTES} on columns), "
            f"CHUNK_LINES {cli_check.CHUNK_LINES}, "
            f"IN_FLIGHT_PER_JOB {cli_check.IN_FLIGHT_PER_JOB}; "
            f"git {_commit()}"
        )
        print(f"{'lines':>9} {'jobs':>4} {'seconds':>8} {'lines/s':>9} {'status':>6} "
              f"{'max RSS 1 proc':>15} {'max RSS tree':>13} {'CPU us/line':>11}")  # fmt: skip
        for n, path in files.items():
            for jobs in (1, args.jobs):
                r = results[(n, jobs)] = run_check(path, jobs)
                seconds, status, single, tree, cpu = r
                print(
                    f"{n:>9} {jobs:>4} {seconds:>8.2f} {n / seconds:>9.0f} {status:>6} "
                    f"{single / 1024:>12.1f} MiB {tree / 1024:>9.1f} MiB {cpu / n * 1e6:>11.1f}"
                )
        big, small = args.lines, args.small
        print("ratios:")
        print(
            f"  lines/s --jobs {args.jobs} / --jobs 1 ({big} lines): "
            f"{results[(big, 1)][0] / results[(big, args.jobs)][0]:.2f}x"
        )
        rate = big / results[(big, args.jobs)][0]
        if args.input == "jsonl":
            floor = floor_rate(files[big])
            print(
                f"  the floor (one process: orjson.loads per line, a constant written): "
                f"{floor:,.0f} lines/s"
            )
            print(
                f"  --jobs {args.jobs}: {rate:,.0f} lines/s = {rate / floor:.2f}x the floor "
                f"(issue 20's target: 1x, about 400,000 lines/s here)"
            )
        else:
            print(f"  --jobs {args.jobs}: {rate:,.0f} lines/s")
        for jobs in (1, args.jobs):
            print(
                f"  peak RSS {big} / {small} lines, --jobs {jobs}: single process "
                f"{results[(big, jobs)][2] / results[(small, jobs)][2]:.2f}x, tree "
                f"{results[(big, jobs)][3] / max(1, results[(small, jobs)][3]):.2f}x"
            )
        if args.runs_only:
            return 0
        print(f"CPU per line by process, {big} lines, in this process (cli.main):")
        for jobs in (1, args.jobs):
            rate, parent, workers = cpu_split(files[big], big, jobs)
            print(
                f"  --jobs {jobs}: {rate:>9,.0f} lines/s; parent {parent:5.2f} us/line, "
                f"workers {workers:5.2f} us/line"
            )
        if args.input == "jsonl":
            profiled = min(args.profile_lines, small)
            print()
            print(f"CPU per line of one worker over {profiled} lines (cumulative):")
            print(costs(files[small], profiled))
            print(f"cProfile of one worker's work over {profiled} lines:")
            print(profile_worker(files[small], profiled, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
