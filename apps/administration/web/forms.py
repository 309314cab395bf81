from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.organisations.models import Membership, Organisation
from apps.web.forms import KipForm

ROLE_CHOICES = [
    (Membership.Role.CASEWORKER, _("Caseworker")),
    (Membership.Role.MANAGER, _("Manager")),
    (Membership.Role.ADMIN, _("Local administrator")),
]


class PersonForm(KipForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("Letters, digits and . _ - only.")
    )
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The invitation to choose a password is sent here.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)


class RoleForm(KipForm):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)


class ReasonForm(KipForm):
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        help_text=_("Recorded in the access log, e.g. “Fratrådt 30. november”."),
    )


class ImportForm(KipForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: username, email, first_name, last_name, role (caseworker, manager or "
            "admin), separated by commas or semicolons."
        ),
    )


def _kinds() -> list[tuple[str, str]]:
    return [(value, capfirst(str(label))) for value, label in Organisation.Kind.choices]


def _sectors() -> list[tuple[str, str]]:
    return [(value, capfirst(str(label))) for value, label in Organisation.Sector.choices]


class OrganisationForm(KipForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=_kinds)
    sector = forms.ChoiceField(label=_("Sector"), choices=_sectors)


class OrganisationNewForm(OrganisationForm):
    slug = forms.CharField(
        label=_("Short name"),
        max_length=50,
        required=False,
        help_text=_(
            "Used in user names such as addiction.caseworker; made from the name if empty."
        ),
    )


class AdministratorForm(KipForm):
    """A local administrator of an organisation, invited by a system administrator."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("Letters, digits and . _ - only.")
    )
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The invitation to choose a password is sent here.")
    )


class RolesOnForm(KipForm):
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
