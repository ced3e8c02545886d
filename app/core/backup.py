"""Backups that are consistent while the app keeps writing, and their restore.

Why: a plain `cp` of the SQLite file without its `-wal` file lost 32 committed attempts in a
test, and uploads and job files in `instance/` were in no backup at all. A backup folder holds

- `database.sqlite3`: a copy made with SQLite's online backup API (one consistent snapshot,
  WAL included; writers go on meanwhile), or `database.pgdump`: `pg_dump --format=custom`
  (one snapshot transaction) for PostgreSQL;
- `instance/`: the instance folder's files (question and roster uploads, job progress), the
  SQLite database itself excepted;
- `manifest.json`: what the folder holds, and when it was made.

`flask backup create DIR` and `flask backup restore DIR` (app/core/cli.py) call these functions.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
INSTANCE_DIR = "instance"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done (message in Vietnamese, for the CLI)."""


@dataclass
class Manifest:
    dialect: str
    database_file: str
    created_at: str
    instance_files: int

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(self.__dict__, indent=2), "utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            return cls(**json.loads((folder / MANIFEST).read_text("utf-8")))
        except (OSError, ValueError, TypeError) as error:
            message = f"{folder} không phải thư mục sao lưu ({MANIFEST}: {error})"
            raise BackupError(message) from error


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(url.database).resolve()


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, in $PG_BIN, or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = [Path(os.environ["PG_BIN"]) / name] if os.environ.get("PG_BIN") else []
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    raise BackupError(f"Không tìm thấy {name} (cài gói postgresql-client).")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password (given in PGPASSWORD, not on the command
    line where `ps` shows it), and the environment to run the tool with."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} lỗi: {done.stderr.strip()[-2000:]}")


def _copy_instance(source: Path, target: Path, skip: set[Path]) -> int:
    """Copy a folder's files (not `skip`, nor SQLite's -wal/-shm of them); returns the count."""
    count = 0
    if not source.is_dir():
        return 0
    skipped = {str(p) for p in skip} | {f"{p}-wal" for p in skip} | {f"{p}-shm" for p in skip}
    for path in sorted(source.rglob("*")):
        if not path.is_file() or str(path.resolve()) in skipped:
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        count += 1
    return count


def create_backup(folder: Path, database_url: str, instance_path: Path) -> Manifest:
    """Back up the database and the instance folder into `folder` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"Thư mục {folder} đã có dữ liệu: hãy chọn một thư mục mới.")
    folder.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    skip: set[Path] = set()
    if url.get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        skip.add(source_path)
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(folder / SQLITE_FILE)
        try:
            with target:
                source.backup(target)  # one step: a read snapshot, writers are not stopped
        finally:
            target.close()
            source.close()
        database_file, dialect = SQLITE_FILE, "sqlite"
    elif url.get_backend_name() == "postgresql":
        uri, env = _libpq(url)
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(folder / PG_FILE)]
            + ["--dbname", uri],
            env,
        )
        database_file, dialect = PG_FILE, "postgresql"
    else:
        raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu {url.get_backend_name()}.")
    files = _copy_instance(Path(instance_path), folder / INSTANCE_DIR, skip)
    manifest = Manifest(dialect, database_file, datetime.now(UTC).isoformat(), files)
    manifest.write(folder)  # last: a folder without it is an unfinished backup
    return manifest


def restore_backup(
    folder: Path, database_url: str, instance_path: Path, force: bool = False
) -> Manifest:
    """Restore `folder` into the database at `database_url` and the folder `instance_path`.

    SQLite: the file must not exist (or `force`). PostgreSQL: the database must exist and be
    empty (or `force`: what the backup holds is dropped and recreated first)."""
    folder = Path(folder)
    manifest = Manifest.read(folder)
    url = make_url(database_url)
    if url.get_backend_name() != manifest.dialect:
        raise BackupError(
            f"Bản sao lưu là {manifest.dialect}, không khôi phục vào {url.get_backend_name()}."
        )
    if manifest.dialect == "sqlite":
        target_path = _sqlite_path(url)
        if target_path.exists() and not force:
            raise BackupError(f"{target_path} đã tồn tại (dùng --force để ghi đè).")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        source = sqlite3.connect(folder / SQLITE_FILE)
        target = sqlite3.connect(target_path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        uri, env = _libpq(url)
        command = [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
        if force:
            command += ["--clean", "--if-exists"]
        _run([*command, "--dbname", uri, str(folder / PG_FILE)], env)
    _copy_instance(folder / INSTANCE_DIR, Path(instance_path), set())
    return manifest
