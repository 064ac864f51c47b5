"""Refusals: the request parameters a server answered 400 to, per profile and model, kept in the data directory.

A conversation's setting that a model refuses is then neither offered in F3 nor sent (with a note), instead of
failing every request. The file is the program's own but read as untrusted: anything malformed is ignored.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from causerie.core.storage.fileio import atomic_write_text

FILE_NAME = "refused_params.json"
_MAX_NAME = 100


class Refusals:
    """Parameter names each (profile, model) refused; written through on every new refusal."""

    def __init__(self, path: Path | None) -> None:
        """`path` None keeps them in memory only (nothing written)."""
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, list[str]]] = self._read()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> Refusals:
        """The refusals remembered in `data_dir`."""
        return cls(data_dir / FILE_NAME)

    def _read(self) -> dict[str, dict[str, list[str]]]:
        if self.path is None:
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        profiles = raw.get("profiles") if isinstance(raw, dict) else None
        if not isinstance(profiles, dict):
            return {}
        data: dict[str, dict[str, list[str]]] = {}
        for profile, models in profiles.items():
            if not isinstance(models, dict):
                continue
            for model, names in models.items():
                if isinstance(names, list):
                    kept = [n for n in names if isinstance(n, str) and 0 < len(n) <= _MAX_NAME]
                    if kept:
                        data.setdefault(str(profile), {})[str(model)] = kept
        return data

    def refused(self, profile: str, model: str) -> frozenset[str]:
        """The parameters `model` refused on `profile`."""
        return frozenset(self._data.get(profile, {}).get(model, ()))

    def learn(self, profile: str, model: str, name: str) -> bool:
        """Remember that `model` on `profile` refused `name`; whether it was new. A failed write is not an error."""
        with self._lock:
            names = self._data.setdefault(profile, {}).setdefault(model, [])
            if name in names or not 0 < len(name) <= _MAX_NAME:
                return False
            names.append(name)
            if self.path is not None:
                text = json.dumps({"version": 1, "profiles": self._data}, ensure_ascii=False, indent=1)
                try:
                    atomic_write_text(self.path, text + "\n")
                except OSError:
                    pass  # a read-only data directory: remembered until causerie quits
        return True
