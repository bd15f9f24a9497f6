"""The benchmark database of one backend: the province dataset, made once and reused.

    with province.Backend("postgresql", data_dir) as backend:
        ds = backend.dataset(factor=0.02, seed=2026)   # generate, or reuse when still valid
        ...ds.url, ds.env...                           # a working copy: benches may write
        url = backend.fresh_database("tick_2000")      # an empty, migrated database

The dataset comes from `charity demo --scale province --factor F --seed S`; where that
command does not exist yet, from the plain `charity demo` (recorded as kind "demo").
With a data directory, the pristine dataset is kept there: a SQLite file (copied for every
run) or a PostgreSQL data directory (the cluster is restarted on it and the run works on
`CREATE DATABASE … TEMPLATE`, a file-level copy). A stamp (generator version = hash of the
generator's and the schema's sources, seed, factor) makes a stale dataset be regenerated.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SECRET = "bench-province"
PROVINCE_PASSWORD = "demo-province-2026"
DEMO_ADMIN_PASSWORD = "demo-admin-2026"


def generator_version() -> str:
    """A hash of everything that shapes the generated data: generator, demo and schema."""
    h = hashlib.sha256()
    files = sorted([*(ROOT / "charity" / "scale").rglob("*.py"),
                    *(ROOT / "charity").glob("demo*.py"),
                    *(ROOT / "migrations" / "versions").glob("*.py")])
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _charity(args: list[str], env: dict) -> str:
    """Run `charity ARGS` in the dataset's environment: its standard output."""
    run = subprocess.run([str(BIN / "charity"), *args], env=env, cwd=ROOT, capture_output=True,
                         text=True)
    if run.returncode:
        raise RuntimeError(f"charity {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run.stdout


def has_scale_generator() -> bool:
    out = subprocess.run([str(BIN / "charity"), "demo", "--help"], capture_output=True,
                         text=True, env={**os.environ, "CHARITY_DATABASE_URL": "sqlite://"})
    return "--scale" in out.stdout


def app_env(url: str, instance: Path) -> dict:
    return {**os.environ, "CHARITY_DATABASE_URL": url, "CHARITY_INSTANCE_PATH": str(instance),
            "CHARITY_SECRET_KEY": SECRET}


@dataclass
class Dataset:
    backend: str
    url: str
    instance: Path
    kind: str            # "province" or "demo" (the generator was not there)
    factor: float
    seed: int
    version: str
    generation_s: float | None  # None: reused from the data directory
    admin: tuple[str, str] = ("admin", PROVINCE_PASSWORD)
    counts: dict = field(default_factory=dict)
    generator_output: list = field(default_factory=list)

    @property
    def env(self) -> dict:
        return app_env(self.url, self.instance)


class KeptCluster:
    """A PostgreSQL cluster on a given data directory (created on first use, kept after)."""

    def __init__(self, root: Path):
        from tests import pg

        self.bindir = pg.find_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found")
        self.root, self.data = root, root / "data"
        self.port = pg._free_port()
        self.as_root = os.geteuid() == 0
        self.started = False

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        run = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if run.returncode:
            raise RuntimeError(f"{args[0]} failed (as root, the postgres user must be able to "
                               f"reach {self.root}):\n{run.stderr[-2000:]}")

    def start(self) -> "KeptCluster":
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            os.chmod(self.root, 0o700)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"),
                  "-w", "-t", "120", "start")
        self.started = True
        return self

    def sql(self, statement: str, dbname: str = "postgres") -> list:
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def dsn(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def version(self) -> str:
        return subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True,
                              text=True).stdout.strip()

    def stop(self) -> None:
        if self.started:
            # A clean stop: the data directory is reused by the next run.
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.started = False


class Backend:
    """One backend for a whole run: where datasets and fresh databases come from."""

    def __init__(self, name: str, data_dir: Path | None):
        self.name = name
        self.tmp = Path(tempfile.mkdtemp(prefix=f"charity-bench-{name}-"))
        os.chmod(self.tmp, 0o755)  # the cluster may run as the postgres user
        self.keep = data_dir / name if data_dir else self.tmp / "kept"
        self.keep.mkdir(parents=True, exist_ok=True)
        self.cluster: KeptCluster | None = None
        self._work_dbs: list[str] = []

    def __enter__(self) -> "Backend":
        if self.name == "postgresql":
            try:
                self.cluster = KeptCluster(self.keep / "pg").start()
            except BaseException:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise
        return self

    def __exit__(self, *exc) -> None:
        if self.cluster is not None:
            for name in self._work_dbs:  # the kept cluster holds only the pristine dataset
                self.cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.cluster.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def version(self) -> str:
        if self.cluster is not None:
            return self.cluster.version()
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"

    def fresh_database(self, name: str) -> tuple[str, Path]:
        """An empty database (not migrated) and an instance folder, both thrown away."""
        instance = self.tmp / f"instance-{name}"
        instance.mkdir(exist_ok=True)
        if self.cluster is None:
            return f"sqlite:///{self.tmp / (name + '.db')}", instance
        self.cluster.sql(f'DROP DATABASE IF EXISTS "{name}"')
        self.cluster.sql(f'CREATE DATABASE "{name}"')
        self._work_dbs.append(name)
        return self.cluster.url(name), instance

    # --- the province dataset ----------------------------------------------------------------

    def dataset(self, factor: float, seed: int, log=print, fast_pdfs: bool = False,
                reuse: bool = False) -> Dataset:
        """With `fast_pdfs`, a dataset whose PDFs are placeholders (`charity demo
        --fast-pdfs`) will do; one with rendered PDFs is reused too. With `reuse`, the kept
        dataset is used whatever generator made it (hours at factor 1), and its working copy
        upgraded to this tree's migrations."""
        scale = has_scale_generator()
        stamp_want = {"version": generator_version(), "seed": seed, "factor": factor,
                      "kind": "province" if scale else "demo"}
        stamp_path = self.keep / "stamp.json"
        stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else None
        if fast_pdfs and scale:
            if stamp == stamp_want:  # rendered PDFs: better than asked
                stamp_want = stamp
            else:
                stamp_want["pdfs"] = "placeholder"
        instance = self.keep / "instance"
        pristine_url = (f"sqlite:///{self.keep / 'province.db'}" if self.cluster is None
                        else self.cluster.url("province"))
        generation_s = None
        if reuse and stamp is not None:
            stamp_want = stamp
        if stamp != stamp_want:
            generation_s = self._generate(stamp_want, pristine_url, scale, log)
        else:
            log(f"[{self.name}] reusing the dataset in {self.keep}")
        url = self._working_copy()
        if reuse:
            _charity(["db", "upgrade"], app_env(url, instance))
        admin = ("admin", PROVINCE_PASSWORD if scale else DEMO_ADMIN_PASSWORD)
        kind = stamp_want["kind"] + (", placeholder PDFs" if "pdfs" in stamp_want else "")
        ds = Dataset(self.name, url, instance, kind, factor, seed,
                     stamp_want["version"], generation_s, admin)
        ds.counts = count_rows(ds)
        log_path = self.keep / "generation.log"
        ds.generator_output = log_path.read_text().splitlines() if log_path.exists() else []
        return ds


    def _generate(self, stamp_want: dict, pristine_url: str, scale: bool, log) -> float:
        """Generate the kept dataset afresh (`charity db upgrade`, then `charity demo`): its
        duration in seconds."""
        factor, seed = stamp_want["factor"], stamp_want["seed"]
        stamp_path, instance = self.keep / "stamp.json", self.keep / "instance"
        log(f"[{self.name}] generating the {stamp_want['kind']} dataset "
            f"(factor {factor}, seed {seed}) …")
        stamp_path.unlink(missing_ok=True)
        shutil.rmtree(instance, ignore_errors=True)
        instance.mkdir()
        if self.cluster is None:
            (self.keep / "province.db").unlink(missing_ok=True)
        else:
            self.cluster.sql('DROP DATABASE IF EXISTS "province" WITH (FORCE)')
            self.cluster.sql('CREATE DATABASE "province"')
        env = app_env(pristine_url, instance)
        cmd = (["demo", "--scale", "province", "--factor", str(factor), "--seed", str(seed)]
               if scale else ["demo"])
        if stamp_want.get("pdfs") == "placeholder":
            cmd.append("--fast-pdfs")
        t0 = time.perf_counter()
        _charity(["db", "upgrade"], env)
        output = _charity(cmd, env)
        generation_s = round(time.perf_counter() - t0, 1)
        # The generator prints its counts and the time of each phase: kept with the data.
        (self.keep / "generation.log").write_text(output)
        stamp_path.write_text(json.dumps(stamp_want))
        log(f"[{self.name}] generated in {generation_s} s")
        return generation_s

    def _working_copy(self) -> str:
        """A copy of the kept dataset, so that what the benches write (export records, …)
        never reaches it; its URL."""
        if self.cluster is None:
            work = self.tmp / "work.db"
            shutil.copyfile(self.keep / "province.db", work)
            return f"sqlite:///{work}"
        name = f"work_{os.getpid()}"
        self.cluster.sql(f'DROP DATABASE IF EXISTS "{name}"')
        self.cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "province"')
        self._work_dbs.append(name)
        return self.cluster.url(name)


COUNT_CODE = """
import json, sqlalchemy as sa
from charity import create_app
from charity.core.extensions import db
app = create_app()
with app.app_context():
    out = {}
    for t in ("organization", "charity_point", "donor", "fund_entry", "stock_movement",
              "stock_balance", "campaign", "project", "distribution", "beneficiary",
              "publication", "obligation"):
        try:
            out[t] = db.session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar()
        except Exception:
            db.session.rollback()
    print(json.dumps(out))
"""


def count_rows(ds: Dataset) -> dict:
    out = subprocess.run([str(BIN / "python"), "-c", COUNT_CODE], env=ds.env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def app_python(ds_env: dict, code: str) -> dict:
    """Run `code` (which prints one JSON line last) in the app's environment."""
    run = subprocess.run([str(BIN / "python"), "-c", code], env=ds_env, cwd=ROOT,
                         capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


DEFAULT_SEED = 2026
RESULTS = ROOT / "bench" / "results.json"


def _write(data: dict) -> Path:
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return RESULTS


def _read() -> dict:
    try:
        return json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}


def merge_backend(backend: str, sections: dict, run: dict) -> Path:
    """Replace only `sections` of `backend` in bench/results.json, each stamped with `run`
    (when, which commit, which factor): a run of one bench on one engine keeps every other
    section of both engines (issue 21)."""
    data = _read()
    kept = data.setdefault("backends", {}).setdefault(backend, {})
    for name, result in sections.items():
        kept[name] = {**result, "run": run} if isinstance(result, dict) else result
    data.setdefault("runs", {})[backend] = run
    return _write(data)


def standalone_run(factor: float, bench: str) -> dict:
    """The stamp of one bench run alone (bench/<name>.py) for `merge_backend`."""
    import datetime as dt

    return {"measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "factor": factor, "only": [bench], "standalone": True}


def merge_results(sections: dict) -> Path:
    """Merge top-level sections into bench/results.json (benches without a backend)."""
    data = _read()
    data.update(sections)
    return _write(data)
