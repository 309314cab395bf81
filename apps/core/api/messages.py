"""DRF's own messages that its Danish catalogue lacks, so that ours carries them.

``makemessages`` finds them here and ``locale/da`` translates them; at run time the project's
catalogue comes before DRF's, so these errors reach the user in Danish like every other.
Only messages the API can answer with are listed (the fields and checks it uses).
"""

from django.utils.translation import gettext_noop

DRF_MESSAGES = (
    gettext_noop("Invalid input."),
    gettext_noop("Not a valid string."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Datetime value out of range."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
)
