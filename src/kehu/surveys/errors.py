from django.utils.translation import gettext_lazy as _

from kehu.core.errors import InvalidInput


class AnswerIncomplete(InvalidInput):
    code = "answer_incomplete"
    default_message = _("Please give a score from 1 to 5 for every question.")
