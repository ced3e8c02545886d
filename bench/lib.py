"""What every scenario needs: datasets in bench/data/, gunicorn servers, signing in, RSS."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
BIN = Path(sys.executable).parent
GUNICORN = str(BIN / "gunicorn")
FLASK = str(BIN / "flask")
WORKERS = 2
SEED = 2026
PASSWORD = "bench-mat-khau-2026"  # local benchmark accounts only, never a real database
NATIONAL_ADMIN = "bench.national@bench.local"
LEARNERS = 60
NOTES: list[str] = []  # what results.md must say about how the datasets were made

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        FLASK_APP="app",
        TDKT_INSTANCE=str(DATA / "instance"),
        SECRET_KEY="bench-only-secret",
        RATELIMIT_ENABLED="0",  # 60 sign-ins from 127.0.0.1 in a few seconds
        PYTHONHASHSEED="0",
    )
    return env


def flask(database_url: str, *args: str) -> None:
    subprocess.run([FLASK, *args], env=app_env(database_url), cwd=ROOT, check=True)


# --- datasets ------------------------------------------------------------------------------


def dataset_key(officers: int) -> dict:
    """What a reusable dataset must match: size, seed, year, schema and generator version."""
    import hashlib

    from app.core.dates import local_today

    migrations = hashlib.sha256()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        migrations.update(path.read_bytes())
    generator = hashlib.sha256()  # generate.py and what it draws from (vocabulary, bulk writing)
    for path in sorted((ROOT / "app" / "dev").glob("*.py")):
        generator.update(path.read_bytes())
    return {
        "officers": officers,
        "seed": SEED,
        "year": local_today().year,
        "migrations": migrations.hexdigest()[:16],
        "generator": generator.hexdigest()[:16],
    }


def build_dataset(database_url: str, officers: int) -> list[str]:
    """Schema by migration, courses/, generated officers, the bench's own accounts. Returns
    notes for results.md (a failed migration falls back to `create_all`, and says so)."""
    log(f"generating {officers} officers into {database_url.split('?')[0]}")
    notes = []
    upgrade = subprocess.run([FLASK, "db", "upgrade"], env=app_env(database_url), cwd=ROOT,
                             capture_output=True, text=True)  # fmt: skip
    if upgrade.returncode != 0:
        error = (upgrade.stderr.strip().splitlines() or ["?"])[-1]
        log(f"flask db upgrade failed ({error}); schema from db.create_all() instead")
        notes.append(f"`flask db upgrade` failed ({error}); schema made by db.create_all()")
        from app.extensions import db

        app = make_app(database_url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
    flask(database_url, "courses", "load")
    started = time.perf_counter()
    flask(database_url, "dev", "generate", "--officers", str(officers), "--seed", str(SEED),
          "--password", PASSWORD)  # fmt: skip
    log(f"generated in {time.perf_counter() - started:.0f} s")
    add_bench_accounts(database_url)
    return notes


def make_app(database_url: str):
    from app import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False, "TESTING": False}
    )


def add_bench_accounts(database_url: str) -> None:
    """A national admin (whole-country coverage) and learners that can sign in."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import OfficerType, OrgUnit, Role, UnitLevel, User

    app = make_app(database_url)
    with app.app_context():
        password_hash = PasswordHasher().hash(PASSWORD)
        root = db.session.scalar(select(OrgUnit).where(OrgUnit.level == UnitLevel.NATIONAL))
        unit = db.session.scalar(
            select(OrgUnit).where(OrgUnit.level == UnitLevel.GRASSROOTS).order_by(OrgUnit.id)
        )
        users = [
            User(full_name="Quản trị Toàn quốc Bench", email=NATIONAL_ADMIN, unit_id=root.id,
                 officer_type=OfficerType.FULL_TIME.value,
                 password_hash=password_hash)
        ] + [
            User(full_name=f"Học viên Bench {i}", email=f"bench.learner{i}@bench.local",
                 unit_id=unit.id,
                 officer_type=OfficerType.PART_TIME.value, password_hash=password_hash)
            for i in range(LEARNERS)
        ]  # fmt: skip
        db.session.add_all(users)
        db.session.flush()
        from app.org.grants import add_grant

        add_grant(users[0], Role.PROVINCE_ADMIN, root)
        db.session.commit()
    with app.app_context():
        db.engine.dispose()


def sqlite_dataset(officers: int) -> str:
    """bench/data/sqlite-<n>.sqlite3, generated once and reused (for the same year)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"sqlite-{officers}.sqlite3"
    meta = DATA / f"sqlite-{officers}.json"
    url = f"sqlite:///{path}"
    want = dataset_key(officers)
    if path.exists() and meta.exists():
        stored = json.loads(meta.read_text())
        if stored.get("key") == want:
            log(f"reusing {path.name}")
            NOTES.extend(stored.get("notes", []))
            return url
    for stale in DATA.glob(f"sqlite-{officers}.sqlite3*"):
        stale.unlink()
    notes = build_dataset(url, officers)
    NOTES.extend(notes)
    meta.write_text(json.dumps({"key": want, "notes": notes}))
    return url


def sqlite_copy(source_url: str, name: str) -> str:
    """A scratch copy for scenarios that write (the reused dataset stays pristine)."""
    source = Path(source_url.removeprefix("sqlite:///"))
    target = DATA / name
    for stale in DATA.glob(f"{name}*"):
        stale.unlink()
    import sqlite3

    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


# --- servers -------------------------------------------------------------------------------


class Server:
    """gunicorn on 127.0.0.1 with WORKERS sync workers; stopped by its own pid."""

    def __init__(self, spec: str, port: int, env: dict, cwd: Path, name: str):
        self.spec, self.port, self.env, self.cwd, self.name = spec, port, env, cwd, name
        self.errlog = DATA / f"gunicorn-{name}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        from loadgen import wait_port

        self.errlog.unlink(missing_ok=True)
        args = [GUNICORN, "--workers", str(WORKERS), "--worker-class", "sync",
                "--bind", f"127.0.0.1:{self.port}", "--timeout", "120",
                "--error-logfile", str(self.errlog), "--log-level", "info", self.spec]  # fmt: skip
        self.proc = subprocess.Popen(args, env=self.env, cwd=self.cwd, start_new_session=True)
        wait_port(self.port, 60)
        deadline = time.time() + 30
        while len(self.worker_pids()) < WORKERS and time.time() < deadline:
            time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:
                    pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(round(kb / 1024, 1))
        return sizes

    def log_text(self) -> str:
        return self.errlog.read_text(errors="replace") if self.errlog.exists() else ""


def app_server(database_url: str, port: int, name: str) -> Server:
    return Server("app.wsgi:app", port, app_env(database_url), ROOT, name)


def probe_server(database_url: str, port: int) -> Server:
    """The app plus two empty routes (bench/probe_app.py): S1's decomposition."""
    env = app_env(database_url)
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH), str(ROOT), env.get("PYTHONPATH", "")])
    return Server("probe_app:app", port, env, ROOT, "probe")


def bare_server(port: int, page_bytes: int, db_path: Path, coverage: Path | None = None) -> Server:
    env = dict(os.environ, BARE_PAGE_BYTES=str(page_bytes), BARE_DB=str(db_path))
    if coverage is not None:  # S2's baseline route: the views' SQL, written by the bench
        env["BARE_COVERAGE"] = str(coverage)
    return Server("bare_app:app", port, env, BENCH, "bare")


# --- a signed-in browser, by hand ------------------------------------------------------------


class Browser:
    """Cookie-keeping HTTP client for set-up steps (the measured load uses loadgen)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | list | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"User-Agent": "tdkt-bench"}  # the same as loadgen's: sessions are "strong"
        if self.cookies:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text, dict(response.getheaders())

    def csrf(self, path: str) -> str:
        status, html, _ = self.request("GET", path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf_token" value="([^"]+)"', html
        )
        if not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD) -> Browser:
        token = self.csrf("/")
        status, _, _ = self.request(
            "POST", "/", {"csrf_token": token, "email": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {email} failed ({status})")
        return self


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), "?")  # fmt: skip
    mem = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text()).group(1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    # The bench's own output (results.md, from an earlier run) is not a change to the code.
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                            ".", ":!bench/results.md"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()  # fmt: skip
    gunicorn = subprocess.run([GUNICORN, "--version"], capture_output=True, text=True)
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "cpu": cpu,
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "gunicorn": (gunicorn.stdout or gunicorn.stderr).strip(),
        "python": sys.version.split()[0],
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }
