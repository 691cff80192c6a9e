"""The import framework: the ``ImportSpec`` registry and its column type.

An importer registers its spec (``register_spec``) and gets the chunked, resumable runner of ``services``:
the customers importer from ``customer_import`` (loaded by the app's ``ready()``), the trade facts from
``kehu.trade.imports``. The framework imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]  # header texts accepted, Chinese and English, compared lower-case without spaces
    label: Any = ""


@dataclass(frozen=True)
class SetBased:
    """A spec's set-based path: the runner calls ``context`` once per import, ``prepare`` per chunk (pure
    Python, possibly in a worker process, so it must be a picklable module-level function) and ``apply``
    per chunk inside the chunk's transaction."""

    # context(actor=, org_code=) -> (picklable context for prepare, problem callable or None)
    context: Callable[..., tuple[Any, Any]]
    # prepare(rows: list[(line, cells, record)], context) -> prepared rows
    prepare: Callable[..., list]
    # apply(actor, mode, org_code, context, problem, prepared, channel) -> customer_import.Outcome
    apply: Callable[..., Any]
    # What a worker process sends back, when the runner has workers: pack(prepared) there (module-level,
    # picklable plain values) and unpack(packed, chunk) here, which may take back from the chunk what this
    # process has already instead of receiving it again. None: the prepared rows as they are.
    pack: Callable[[list], Any] | None = None
    unpack: Callable[[Any, list], list] | None = None


@dataclass
class ImportSpec:
    target: str
    columns: list[Column]
    # apply(actor, mode, org_code, record) -> "created" | "updated" | "unchanged"; raises DomainError to reject.
    apply: Callable[..., str]
    required: set[str] = field(default_factory=set)
    set_based: SetBased | None = None

    def header_map(self, header: list[str]) -> dict[int, str]:
        lookup = {a.lower().replace(" ", ""): c.key for c in self.columns for a in (c.key, *c.aliases)}
        return {i: lookup[h] for i, h in enumerate(header) if h in lookup}


SPECS: dict[str, ImportSpec] = {}


def register_spec(spec: ImportSpec) -> None:
    SPECS[spec.target] = spec
