"""Evidence uploads: checked by content, stored outside static/ under random names.

What a file *is* is decided by its first bytes (PDF, JPEG or PNG), never by its name or by
the content type the browser sends: a PNG named "x.pdf" is stored as a PNG, an executable
renamed "x.pdf" is refused. Nothing here imports Flask: the web layer reads the request into
`Upload` values (`read_upload`) and passes the size limit in.

Storage and transactions (the choice the brief asked for): **stage under a temporary name,
rename after the commit.**

1. While the transaction is open, each file is written completely (and fsync'ed) to
   ``<dir>/<name>.part``; its ``StoredFile`` row names ``<name>``.
2. After the commit the caller calls ``FileStore.publish()``, which renames every ``.part``
   to its final name (an atomic rename in one directory).
3. When the transaction fails or is rolled back, the caller calls ``FileStore.discard()``,
   which deletes the ``.part`` files: a failed posting leaves no file behind.

Files are only staged after every check has passed, so a refused upload writes nothing.
A crash between the commit and the rename leaves a committed ``.part`` file; `path_of`
finds it under either name, so the evidence is never missing. A crash before the commit
leaves a ``.part`` file without a row, recognisable by its suffix and safe to delete.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l

#: (magic bytes, MIME type, file extension), tried in order.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {mime: ext for _magic, mime, ext in SIGNATURES}
PART_SUFFIX = ".part"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the web layer received it: the name the browser sent and at
    most ``max_bytes + 1`` bytes of content (enough to tell that it is too large)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    mime: str
    data: bytes
    size: int
    sha256: str


def read_upload(storage, max_bytes: int) -> Upload:
    """Read a werkzeug ``FileStorage`` (or anything with ``filename`` and ``read``) without
    ever holding more than ``max_bytes + 1`` bytes of it."""
    stream = getattr(storage, "stream", storage)
    return Upload(filename=getattr(storage, "filename", "") or "",
                  data=stream.read(max_bytes + 1))


def detect_mime(data: bytes) -> str | None:
    """The MIME type the content's first bytes announce, or None if not PDF, JPEG or PNG."""
    for magic, mime, _ext in SIGNATURES:
        if data.startswith(magic):
            return mime
    return None


def clean_filename(name: str) -> str:
    """The last path component of a browser-sent file name, without control characters,
    at most 255 characters (keeping the extension); "upload" if nothing is left."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 255 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:255]
    return name or "upload"


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} B"


def check_upload(upload: Upload, max_bytes: int, field: str = "files") -> CheckedFile:
    """Accept a PDF, JPEG or PNG of 1 to ``max_bytes`` bytes, judged by its content;
    otherwise raise ValidationFailed naming the file."""
    name = clean_filename(upload.filename)
    data = upload.data
    if not data:
        raise ValidationFailed(_l("The file %(name)s is empty.", name=name), field=field)
    if len(data) > max_bytes:
        raise ValidationFailed(_l("The file %(name)s is larger than %(limit)s.", name=name,
                                  limit=_size_text(max_bytes)), field=field)
    mime = detect_mime(data)
    if mime is None:
        raise ValidationFailed(
            _l("The file %(name)s is not a PDF, JPEG or PNG file.", name=name), field=field)
    return CheckedFile(original_name=name, mime=mime, data=data, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest())


def download_name(original_name: str, mime: str) -> str:
    """The name a stored file is downloaded under: its original name, with the extension
    of what it really is (a PNG uploaded as "scan.pdf" downloads as "scan.pdf.png")."""
    ext = EXTENSIONS.get(mime, "")
    name = clean_filename(original_name)
    if ext and not name.lower().endswith(ext if ext != ".jpg" else (".jpg", ".jpeg")):
        name += ext
    return name


@dataclass
class FileStore:
    """A folder of evidence files (``<instance>/uploads``) with staged writes; see the module
    docstring for the protocol. One store object per request or command."""

    directory: Path
    _staged: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.directory = Path(self.directory)

    @staticmethod
    def new_name() -> str:
        return secrets.token_hex(16)

    def stage(self, name: str, data: bytes) -> None:
        """Write ``data`` completely to ``<name>.part`` (never overwriting anything)."""
        if not _STORED_NAME.match(name):
            raise ValueError(f"not a stored file name: {name!r}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        part = self.directory / (name + PART_SUFFIX)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        self._staged.append(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    @property
    def staged(self) -> list[str]:
        return list(self._staged)

    def publish(self) -> None:
        """After the commit: give every staged file its final name."""
        for name in self._staged:
            os.replace(self.directory / (name + PART_SUFFIX), self.directory / name)
        self._staged.clear()
        self._sync_directory()

    def discard(self) -> None:
        """After a rollback: delete every staged file."""
        for name in self._staged:
            (self.directory / (name + PART_SUFFIX)).unlink(missing_ok=True)
        self._staged.clear()

    def path_of(self, name: str) -> Path | None:
        """The file of a committed StoredFile row: its final name, or the staged name if
        the process stopped between the commit and the rename; None if neither exists."""
        if not _STORED_NAME.match(name or ""):
            return None
        for candidate in (self.directory / name, self.directory / (name + PART_SUFFIX)):
            if candidate.is_file():
                return candidate
        return None

    def _sync_directory(self) -> None:
        try:
            fd = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def upload_dir(instance_path: str | os.PathLike) -> Path:
    """Where evidence files live: ``<instance>/uploads`` (never under static/)."""
    return Path(instance_path) / "uploads"
