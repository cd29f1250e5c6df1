"""Built article profiles kept on disk between starts, so a restart does not pay the whole index build.

Analysing every title and symptom line against the thesaurus is most of the index build (about 90%
of it at 10,000 articles; docs/benchmarks.md). A profile depends only on its article's versions, the
phrasings learned for it and the matcher's own code and thesaurus, so each one is stored under a hash
of exactly those: an edited article, a new learned phrasing or a new release of the matcher is built
afresh, everything else is read back. The BM25 arrays are rebuilt from the profiles at the first
search, which is cheap.

The file is derived data beside the database, never the only copy of anything: a missing, unreadable,
foreign or outdated file is ignored (and replaced at the next save), never an error. It is read with
pickle, so it must be as private as the database itself (it is written with the same owner, mode
0600).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from knowledge.article import Article
from knowledge.profile import Profile

log = logging.getLogger(__name__)

MAGIC = b"helpdesk-kb-profiles\n"
"""The first bytes of the file: anything else is not ours and is not unpickled."""


@cache
def code_version() -> str:
    """A hash of what builds a profile: this package's code and its thesaurus."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *here.glob("*.yaml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def profile_key(versions: Sequence[Article], learned: Sequence[str]) -> str:
    """What one profile is built from, hashed: every language version's fields and the learned phrasings."""
    digest = hashlib.sha256()
    for a in versions:
        for part in (a.id, a.lang, a.title, a.device, *a.symptoms, "\x1e", a.body, a.source):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1f")
    digest.update(b"\x1d")
    for text in learned:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


class ProfileCache:
    """Profiles by `profile_key`, read from and written to one file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stored: dict[str, Profile] = {}
        self._used: dict[str, Profile] = {}
        self.hits = 0
        self.misses = 0
        self._read()

    def _read(self) -> None:
        try:
            with self.path.open("rb") as f:
                if f.read(len(MAGIC)) != MAGIC or f.readline().strip().decode("ascii", "replace") != code_version():
                    return  # another program's file, or profiles of another release of the matcher
                stored = pickle.load(f)
        except FileNotFoundError:
            return
        except Exception as exc:  # a damaged cache is rebuilt, whatever the damage
            log.warning("knowledge base: ignoring the index cache %s (%s); it will be rebuilt", self.path, exc)
            return
        if isinstance(stored, dict):
            self._stored = stored

    def get(self, key: str) -> Profile | None:
        profile = self._stored.get(key)
        if profile is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used[key] = profile
        return profile

    def put(self, key: str, profile: Profile) -> None:
        self._used[key] = profile

    @property
    def changed(self) -> bool:
        """Whether the file would differ from what was read: a profile was built, or one is unused."""
        return self._used.keys() != self._stored.keys()

    def save(self) -> None:
        """Write the profiles used since the file was read (so removed articles leave it), atomically;
        a failure is logged, never raised: the cache only saves time."""
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(MAGIC + code_version().encode("ascii") + b"\n")
                    pickle.dump(self._used, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("knowledge base: could not write the index cache %s (%s)", self.path, exc)
            return
        self._stored = dict(self._used)
