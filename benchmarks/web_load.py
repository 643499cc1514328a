"""Load benchmark of the clinic app on PostgreSQL.

Seeds 10,000 cases into a fresh PostgreSQL database, starts uvicorn on loopback (separate
process), logs in, and drives load from a second process (wrk, else httpx) at 32
concurrent clients, each request a random one of 500 case pages or 5 dashboard views.
Prints p50/p95 of the dashboard and the case page next to a trivial baseline (/healthz)
measured in the same run (the case page twice: first over pages mostly never rendered by
the worker that serves them, then over the same pages again), one-client service times
(including case pages never viewed before, which are rendered rather than cached), then
sends 200 consultation requests at 32 concurrent clients and counts errors and lost requests
(checked in the database).

    .venv/bin/python benchmarks/web_load.py [--cases 10000] [--workers 2] [--seconds 15]

Then the same 32 clients *reading between clicks* (``--think``, mean 2 s between one
client's requests: a very busy clinic of 32 people), so the latency a person sees at that
rate is reported apart from the capacity that wrk's clients without pause measure. With no
pause, 32 clients need 320 req/s for a p95 under 100 ms (Little's law), whatever the page.

Claim (issue): dashboard and case page p95 < 100 ms; intake: zero errors, zero lost.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx
import psycopg
import pyotp
from sqlalchemy import insert, text

from hemifacial.db import tables as t
from hemifacial.db.engine import make_engine, migrate, session_factory, transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import accounts
from hemifacial.services.cases import RED_FLAG_LEVEL, assessment_dict

PG = os.environ.get("HEMIFACIAL_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
CONCURRENCY = 32
PASSWORD = "bench password 123"
TOTP_SECRET = pyotp.random_base32()  # clinicians log in with a second factor
TEMPLATES = [
    {"age_at_onset": 58, "side": "left", "other_babinski": "yes", "spread_to_lower_face": "yes"},
    {"age_at_onset": 27, "side": "right", "other_neuro_symptoms": "yes"},
    {"age_at_onset": 52, "side": "right", "prior_bells_palsy": "yes", "facial_weakness": "yes"},
    {
        "age_at_onset": 66,
        "side": "both",
        "laterality": "bilateral_synchronous",
        "light_sensitivity": "yes",
    },
    {"age_at_onset": 45, "side": "left"},
    {"side": "right", "contraction_pattern": "clonic", "hypertension": "yes"},
]
STATUSES = ["new", "awaiting_history", "awaiting_tests", "under_treatment", "closed"]


def admin(sql: str) -> None:
    with psycopg.connect(PG.replace("+psycopg", "") + "/postgres", autocommit=True) as c:
        c.execute(sql)


def seed(url: str, n: int) -> None:
    kb = load_knowledge_base()
    engine = make_engine(url)
    migrate(engine)
    results = [
        assessment_dict(
            kb,
            {k: str(v) for k, v in tpl.items()},
            "referral_clinic",
            dict.fromkeys(tpl, "patient"),
        )
        for tpl in TEMPLATES
    ]
    rng = random.Random(1)
    now = t.utcnow()
    batch = 1000
    with engine.begin() as conn:
        for start in range(0, n, batch):
            cases, findings, assessments = [], [], []
            for i in range(start, min(start + batch, n)):
                k = rng.randrange(len(TEMPLATES))
                res = results[k]
                level = max(
                    (RED_FLAG_LEVEL.get(f["level"], 1) for f in res["red_flags"]), default=0
                )
                name = f"Patient {i:05d}"
                # most requests give a phone (since 2026-12-04: a first view then looks for
                # another request with the same number, as a clinic's pages do)
                phone = f"+44 7700 9{i:05d}" if i % 5 else ""
                cases.append(
                    {
                        "id": i + 1,
                        "status": rng.choice(STATUSES),
                        "patient_name": name,
                        "email": f"p{i}@example.org",
                        "phone": phone,
                        "phone_key": t.phone_key(phone),
                        "setting": "referral_clinic",
                        "draft": {},
                        "extras": {},
                        "search_text": f"{name} p{i}@example.org {phone}".lower(),
                        "red_flag_level": level,
                        "top_condition": res["ranking"][0]["condition_id"],
                        "top_probability": res["ranking"][0]["probability"],
                        "submitted_at": now,
                        "created_at": now,
                        "updated_at": now
                        - __import__("datetime").timedelta(minutes=rng.randrange(500_000)),
                    }
                )
                for fid, value in TEMPLATES[k].items():
                    findings.append(
                        {
                            "case_id": i + 1,
                            "finding_id": fid,
                            "value": str(value),
                            "source": "patient",
                            "recorded_by": "patient",
                            "recorded_at": now,
                        }
                    )
                assessments.append(
                    {
                        "case_id": i + 1,
                        "kb_version": kb.version,
                        "kb_hash": kb.content_hash,
                        "trigger": "seed",
                        "result": res,
                        "created_at": now,
                    }
                )
            conn.execute(insert(t.Case), cases)
            conn.execute(insert(t.Finding), findings)
            conn.execute(insert(t.Assessment), assessments)
        conn.execute(text(f"SELECT setval('cases_id_seq', {n})"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does on a live server
    with transaction(session_factory(engine)) as s:
        accounts.create_user(s, "bench", PASSWORD, "Bench", totp_secret=TOTP_SECRET)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def _drive(base: str, paths: list[str], seconds: float, cookie: str) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=30, cookies={"hf_session": cookie}
    ) as client:
        times: list[float] = []
        errors = 0
        stop = time.perf_counter() + seconds
        rng = random.Random(2)

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                path = rng.choice(paths)
                t0 = time.perf_counter()
                resp = await client.get(path)
                times.append(time.perf_counter() - t0)
                errors += resp.status_code != 200

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return {
        "n": len(times),
        "errors": errors,
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "rps": len(times) / seconds,
    }


async def _paced(
    base: str, jobs: dict[str, list[str]], seconds: float, cookie: str, think: float
) -> dict[str, dict[str, Any]]:
    """32 clients that read between clicks: each waits a random time (exponential, mean
    ``think`` s) before its next request, to a random one of the pages in ``jobs``. The
    latency a clinician sees at a given rate, not the server's capacity (wrk measures that)."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    times: dict[str, list[float]] = {name: [] for name in jobs}
    errors = 0
    rng = random.Random(4)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=30, cookies={"hf_session": cookie}
    ) as client:
        stop = time.perf_counter() + seconds

        async def clinician() -> None:
            nonlocal errors
            await asyncio.sleep(rng.uniform(0, think))  # not all at once
            while time.perf_counter() < stop:
                name = rng.choice(list(jobs))
                t0 = time.perf_counter()
                resp = await client.get(rng.choice(jobs[name]))
                times[name].append(time.perf_counter() - t0)
                errors += resp.status_code != 200
                await asyncio.sleep(rng.expovariate(1 / think))

        await asyncio.gather(*(clinician() for _ in range(CONCURRENCY)))
    return {
        name: {
            "n": len(ts),
            "errors": errors,
            "p50": pct(ts, 50),
            "p95": pct(ts, 95),
            "rps": len(ts) / seconds,
        }
        for name, ts in times.items()
        if ts
    }


async def _intake(base: str, n: int, tag: str) -> dict[str, Any]:
    sem = asyncio.Semaphore(CONCURRENCY)
    errors: list[int] = []
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            async with sem:
                r = await client.post(
                    "/api/v1/intake",
                    json={
                        "contact": {
                            "name": f"{tag} {i}",
                            "email": f"i{i}@example.org",
                            "consent": True,
                        },
                        "answers": {k: str(v) for k, v in TEMPLATES[i % len(TEMPLATES)].items()},
                    },
                )
                if r.status_code != 201:
                    errors.append(r.status_code)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
    return {"errors": len(errors), "seconds": time.perf_counter() - t0}


WRK_SCRIPT = """
paths = {%s}
-- each request picks a random path, independently in each wrk thread (as the httpx driver
-- does): round-robin would send both threads through the same cases in lockstep
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
init = function(args)
  math.randomseed(7919 * id)
end
request = function()
  local p = paths[math.random(#paths)]
  local headers = {["Cookie"] = "hf_session=%s"}
  if p[2] ~= "" then headers["If-None-Match"] = p[2] end
  return wrk.format("GET", p[1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%.6f %%.6f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50) / 1e6, latency:percentile(95) / 1e6))
end
"""


def wrk_drive(
    base: str, paths: list[str], seconds: float, cookie: str, etags: dict[str, str] | None = None
) -> dict[str, Any]:
    """Closed-loop load with wrk (C, 2 threads, 32 connections): lighter than Python.

    With ``etags`` each request revalidates the page the browser already holds
    (If-None-Match), as a returning browser does."""
    tags = etags or {}
    lua = WRK_SCRIPT % (", ".join(f'{{"{p}", {tags.get(p, "")!r}}}' for p in paths), cookie)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONCURRENCY}",
            f"-d{int(seconds)}s",
            "--timeout",
            "10s",
            "-s",
            fh.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(fh.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    _, n, errors, micros, p50, p95 = line.split()
    return {
        "n": int(n),
        "errors": int(errors),
        "rps": int(n) / (int(micros) / 1e6),
        "p50": float(p50),
        "p95": float(p95),
    }


def log_in(base: str) -> str:
    """The session cookie of one login (password and a one-time code, used once)."""
    r = httpx.post(
        f"{base}/api/v1/session",
        json={"username": "bench", "password": PASSWORD, "otp": pyotp.TOTP(TOTP_SECRET).now()},
    )
    r.raise_for_status()
    return str(r.cookies["hf_session"])


def sequential(base: str, cookie: str, jobs: dict[str, list[str]]) -> dict[str, Any]:
    """Each endpoint 100 times, one request at a time: the service time without queueing."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=base, cookies={"hf_session": cookie}) as client:
        for name, paths in jobs.items():
            times = []
            for i in range(100):
                t0 = time.perf_counter()
                client.get(paths[i % len(paths)]).raise_for_status()
                times.append(time.perf_counter() - t0)
            out[name] = {"p50": pct(times, 50), "p95": pct(times, 95)}
    return out


def load_process(
    base: str,
    jobs: dict[str, list[str]],
    seconds: float,
    q: Any,
    intake_n: int,
    tag: str,
    cookie: str,
    paced: dict[str, list[str]],
    think: float,
) -> None:
    out: dict[str, Any] = {
        name: asyncio.run(_drive(base, paths, seconds, cookie)) for name, paths in jobs.items()
    }
    if think > 0:
        out["paced"] = asyncio.run(_paced(base, paced, 2 * seconds, cookie, think))
    out["intake"] = asyncio.run(_intake(base, intake_n, tag))
    q.put(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--intake", type=int, default=200)
    ap.add_argument("--httpx", action="store_true", help="drive with httpx even if wrk exists")
    ap.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds between one client's requests in the paced run (0: skip it)",
    )
    ap.add_argument(
        "--nodelay",
        action="store_true",
        help="serve with hemifacial.web.server's TCP_NODELAY protocol (uvicorn internals; "
        "off by default)",
    )
    args = ap.parse_args()
    name = f"hemifacial_bench_{secrets.token_hex(3)}"
    admin(f'CREATE DATABASE "{name}"')
    url = f"{PG}/{name}"
    server = None
    try:
        t0 = time.perf_counter()
        seed(url, args.cases)
        print(f"seeded {args.cases} cases into PostgreSQL in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        env = {
            **os.environ,
            "HEMIFACIAL_DATABASE_URL": url,
            "HEMIFACIAL_MODE": "production",
            "HEMIFACIAL_SECRET_KEY": secrets.token_urlsafe(32),
            "HEMIFACIAL_DATA_DIR": tempfile.mkdtemp(prefix="hf-bench-"),
            "HEMIFACIAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
            # one address sends all 200 requests: the per-address limit is not what is measured
            "HEMIFACIAL_INTAKE_RATE": "100000/hour",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "hemifacial.web.app:app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--http",
                "hemifacial.web.server:NoDelayHttpToolsProtocol" if args.nodelay else "httptools",
                "--loop",
                "uvloop",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        rng = random.Random(3)
        case_paths = [f"/clinic/cases/{rng.randrange(1, args.cases + 1)}" for _ in range(500)]
        dash_paths = [
            "/clinic",
            "/clinic?page=2",
            "/clinic?status=new",
            "/clinic?red=1",
            "/clinic?q=patient%200123",
        ]
        jobs = {
            "healthz (baseline)": ["/healthz"],
            "dashboard": dash_paths,
            "case page": case_paths,
            "dashboard API": ["/api/v1/cases"],
        }
        tag = f"intake-{secrets.token_hex(3)}"
        jobs_all = dict(jobs)
        out: dict[str, Any] = {}
        cookie = log_in(base)
        if shutil.which("wrk") and not args.httpx:
            print("load generator: wrk (second process)")
            out = {
                name: wrk_drive(base, paths, args.seconds, cookie) for name, paths in jobs.items()
            }
            # the same 500 pages again: each worker has rendered them now (the first run's
            # p95 is mostly their first views in each process)
            out["case page, viewed before"] = wrk_drive(base, case_paths, args.seconds, cookie)
            with httpx.Client(base_url=base, cookies={"hf_session": cookie}) as client:
                etags = {p: client.get(p).headers.get("etag", "") for p in case_paths}
            out["case page, revalidated"] = wrk_drive(base, case_paths, args.seconds, cookie, etags)
            jobs = {}
        else:
            print("load generator: httpx async (second process)")
        seen = set(case_paths)
        unseen = [
            p for p in (f"/clinic/cases/{i}" for i in range(1, args.cases + 1)) if p not in seen
        ]
        # a case page never viewed before is rendered (not cached): its service time apart
        jobs_all["case page, first view"] = rng.sample(unseen, 100)
        single = sequential(base, cookie, jobs_all)
        q: Any = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(
            target=load_process,
            args=(
                base,
                jobs,
                args.seconds,
                q,
                args.intake,
                tag,
                cookie,
                {"dashboard": dash_paths, "case page": case_paths},
                args.think,
            ),
        )
        proc.start()
        got = q.get()
        proc.join()
        out.update(got)
        base_p95 = out["healthz (baseline)"]["p95"]
        print(
            f"\n{CONCURRENCY} concurrent clients, {args.seconds:.0f} s each, uvicorn "
            f"--workers {args.workers}{' (TCP_NODELAY protocol)' if args.nodelay else ''}, "
            f"{args.cases} cases in PostgreSQL"
        )
        print(
            f"{'endpoint':24} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'p95/baseline':>12}"
        )
        paced = out.pop("paced", {})
        for label, r in out.items():
            if label == "intake":
                continue
            print(
                f"{label:24} {r['n']:8d} {r['errors']:6d} {r['rps']:7.0f} "
                f"{1000 * r['p50']:7.1f} {1000 * r['p95']:7.1f} {r['p95'] / base_p95:12.1f}"
            )
        if paced:
            print(
                f"\n{CONCURRENCY} clients reading between clicks (a request every "
                f"{args.think:g} s on average each, {2 * args.seconds:.0f} s; httpx):"
            )
            for label, r in paced.items():
                print(
                    f"{label:22} {r['n']:8d} {r['errors']:6d} {r['rps']:7.1f} "
                    f"{1000 * r['p50']:7.1f} {1000 * r['p95']:7.1f}"
                )
        if single:
            print("\none client at a time (service time, no queueing; 100 requests each):")
            for label, r in single.items():
                print(f"{label:22} p50 {1000 * r['p50']:6.1f} ms  p95 {1000 * r['p95']:6.1f} ms")
        engine = make_engine(url)
        with engine.connect() as conn:
            saved = conn.execute(
                text("SELECT count(*) FROM cases WHERE patient_name LIKE :p"), {"p": f"{tag} %"}
            ).scalar()
        engine.dispose()
        lost = args.intake - out["intake"]["errors"] - int(saved or 0)
        print(
            f"\nintake: {args.intake} submissions at {CONCURRENCY} concurrent clients in "
            f"{out['intake']['seconds']:.1f} s: {out['intake']['errors']} errors, "
            f"{saved} saved, {lost} lost"
        )
        for label in (
            "dashboard",
            "case page",
            "case page, viewed before",
            "case page, revalidated",
        ):
            if label not in out:
                continue
            verdict = "meets" if out[label]["p95"] < 0.1 else "MISSES"
            print(
                f"{label}, {CONCURRENCY} clients without pause: p95 "
                f"{1000 * out[label]['p95']:.1f} ms {verdict} the 100 ms target "
                f"(closed loop: it needs {CONCURRENCY / 0.1:.0f} req/s, "
                f"measured {out[label]['rps']:.0f})"
            )
        for label, r in paced.items():
            verdict = "meets" if r["p95"] < 0.1 else "MISSES"
            print(
                f"{label}, {CONCURRENCY} clients reading between clicks: p95 "
                f"{1000 * r['p95']:.1f} ms {verdict} the 100 ms target"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
