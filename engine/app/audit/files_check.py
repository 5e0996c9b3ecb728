"""The files a ticket's log names (its `file` fields' references): each must be in the data
folder, its bytes still hashing to the SHA-256 the chained entry recorded. The chain proves the
reference was not changed; this proves the file it names was not changed or lost."""

from __future__ import annotations

import hashlib

from engine.app.audit.chain_check import Link, Problem
from engine.core.fields import file_refs
from engine.store.files import FileStore


class FileCheck:
    """One pass over the store: a file named by several entries is read once."""

    def __init__(self, files: FileStore) -> None:
        self.files = files
        self.seen: dict[str, str] = {}  # sha256 -> "" (intact) or what is wrong with it

    def check(self, ticket_id: str, links: list[Link]) -> list[Problem]:
        out = []
        for link in links:
            data = link.entry.get("data") if link.entry is not None else None
            for key, value in (data or {}).items() if isinstance(data, dict) else ():
                for ref in file_refs(value):
                    wrong = self._wrong(str(ref["sha256"]))
                    if wrong:
                        message = f"the file of {key!r} ({str(ref['sha256'])[:12]}...) {wrong}"
                        out.append(Problem(ticket_id, link.seq, "file", message))
        return out

    def _wrong(self, sha: str) -> str:
        if sha not in self.seen:
            if not self.files.has(sha):
                self.seen[sha] = "is not in the data folder: lost"
            else:
                actual = hashlib.sha256(self.files.read(sha)).hexdigest()
                self.seen[sha] = "" if actual == sha else "no longer hashes to its name: changed"
        return self.seen[sha]
