from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.core.rules import character_classes


class CharacterClassValidator:
    """Require three of four character classes (domain spec I-10, after 211号 Art.99-100)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d of: lower case, upper case, digits, symbols.")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: lower case, upper case, digits, symbols.") % {"n": self.min_classes}
