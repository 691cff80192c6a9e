"""A migration operation for the squashed migrations: create an app's models as one change of the migration state.

Django re-renders the historical models after every ``CreateModel`` (``ProjectState.add_model`` calls
``reload_model`` without delay), and a new model with a foreign key to the user or the customer drags along every
model related to those, recursively: nearly all of them. Over kehu's 120-odd models that made a fresh ``migrate``
cost O(models²) model renders (12,000, about 20 s of CPU), whether the models came from the long chain of
migrations or from squashed ones. ``CreateModels`` adds its models to the state with rendering held back and then
renders the affected models once, so a squashed app costs one render instead of one per model.

The database side is exactly ``CreateModel``'s: each table is created from the final state in the listed order
(a foreign key to a model created later in the same list is fine: PostgreSQL adds the constraints at the end of
the migration, SQLite writes the reference into the column). docs/migrations.md tells how the squashed
migrations were made and checked.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState


class CreateModels(Operation):
    """Create several models of one app, rendering the migration state once for all of them."""

    reduces_to_sql = True
    reversible = True
    serialization_expand_args = ["operations"]

    def __init__(self, operations: list[migrations.CreateModel]) -> None:
        # Only CreateModel: a model's table is created from the final state of the batch, which is its own
        # final state only when nothing else in the batch changes it.
        for operation in operations:
            if type(operation) is not migrations.CreateModel:
                raise TypeError(f"CreateModels takes CreateModel operations only, not {operation!r}")
        self.operations = operations
        super().__init__()

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [], {"operations": self.operations})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        # ProjectState re-renders only while its rendered apps are cached ("apps" in its __dict__, the test that
        # ProjectState.add_model makes itself): take them out while the models are added, then reload once.
        rendered = state.__dict__.pop("apps", None)
        for operation in self.operations:
            operation.state_forwards(app_label, state)
        if rendered is not None:
            state.__dict__["apps"] = rendered
            state.reload_models([(app_label, operation.name_lower) for operation in self.operations], delay=False)

    def database_forwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                          from_state: ProjectState, to_state: ProjectState) -> None:
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                           from_state: ProjectState, to_state: ProjectState) -> None:
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def references_model(self, name: str, app_label: str) -> bool:
        return any(operation.references_model(name, app_label) for operation in self.operations)

    def describe(self) -> str:
        return "Create models " + ", ".join(operation.name for operation in self.operations)

    @property
    def migration_name_fragment(self) -> str:
        return "_".join(operation.name_lower for operation in self.operations)[:40]
