"""Append many audit rows at once, for set-based imports.

The code lives in ``kehu.core.audit`` (issue 12: all of the chain in one module); this module keeps the
names the importers use. The rows are exactly what ``audit_record`` writes one at a time (same content,
same keyed content hash), so ``kehu audit verify`` cannot tell them apart; they are chained by the sealer
after the import's transaction commits.
"""

from __future__ import annotations

from kehu.core.audit import AuditEntry, audit_record_many

__all__ = ["AuditEntry", "audit_record_many"]
