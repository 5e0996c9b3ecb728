"""Files kept by content: `<folder>/ab/cdef...` (by default the data folder's `files/`), named by
their SHA-256.

A file is written to a temporary name in its folder and renamed into place, so a reader never
sees half a file; the same bytes stored twice are one file (the second `put` writes nothing).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from engine.core.fields import SHA256

FILES_FOLDER = "files"


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str) -> bool:
        return SHA256.match(sha256) is not None and self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store `content`; its SHA-256 and whether it was new (False: held already)."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if target.is_file():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return digest, True
