"""Forms of the MUS pages. Choice querysets are set per request, inside the scope."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from kompetence.forms import InlineValidationMixin, LongSelect, set_option_label
from kompetence.models import Person
from mus.models import (
    AgendaQuestion,
    Conversation,
    ConversationKind,
    PlanActivity,
    PlanGoal,
    PlanVersion,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConversationForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = Conversation
        fields = ["starts_at", "duration_minutes", "is_online", "location"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not 15 <= minutes <= 240:
            raise forms.ValidationError(_("Vælg en varighed mellem 15 og 240 minutter."))
        return minutes


class ScheduleForm(ConversationForm):
    """Scheduling one employee's conversation: its kind first. LUS is offered only
    when the employee is a leader (`with_lus`), and is then chosen first."""

    # Not required: a form sent without it (an older page) schedules a MUS.
    kind = forms.ChoiceField(label=_("Samtaletype"), required=False)

    field_order = ["kind", "starts_at", "duration_minutes", "is_online", "location"]

    def __init__(self, *args, with_lus: bool, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [ConversationKind.MUS, ConversationKind.SENIOR]
        if with_lus:
            kinds.insert(0, ConversationKind.LUS)
        field = cast(forms.ChoiceField, self.fields["kind"])
        field.choices = [(kind.value, kind.label) for kind in kinds]
        self.initial.setdefault("kind", kinds[0].value)
        field.help_text = _(
            "LUS er en leders egen udviklingssamtale med sin leder. En seniorsamtale er en "
            "MUS med fokus på de kommende år og en eventuel senioraftale."
        )

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or ConversationKind.MUS


class GroupConversationForm(ConversationForm):
    """A GRUS/TUS: who takes part (the leader's own employees), a title and the time."""

    participants = SafeModelMultipleChoiceField(
        label=_("Deltagere"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Hver deltager får sin egen invitation, sin egen forberedelse og sin egen "
            "udviklingsplan."
        ),
    )
    title = forms.CharField(
        label=_("Titel"), max_length=200, required=False, help_text=_("Fx teamets navn.")
    )

    field_order = ["title", "participants", "starts_at", "duration_minutes", "is_online"]

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["participants"]).queryset = employees
        set_option_label(self.fields["participants"], lambda person: person.name)


class IndividualRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse (valgfri)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Din leder ser begrundelsen. De andre deltagere ser den ikke."),
    )


class RevisionMixin(forms.Form):
    """Carries the plan revision the editor saw, for the conflict check."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PlanTextsForm(RevisionMixin, forms.ModelForm):
    class Meta:
        model = PlanVersion
        fields = ["leader_support", "other_agreements", "follow_up_date"]
        widgets = {
            "leader_support": forms.Textarea(attrs={"rows": 3}),
            "other_agreements": forms.Textarea(attrs={"rows": 3}),
            "follow_up_date": DATE,
        }


class GoalForm(RevisionMixin, forms.ModelForm):
    target_level = forms.TypedChoiceField(
        label=_("Målniveau"), coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = PlanGoal
        fields = ["text", "competences", "target_level"]
        field_classes = {"competences": SafeModelMultipleChoiceField}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "competences": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, competences, levels, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["competences"]).queryset = competences
        self.fields["competences"].required = False
        # The choices are the competences of the employee's role; anything else posted
        # is refused, naming the field (the views lead each message with its label).
        self.fields["competences"].error_messages["invalid_choice"] = _(
            "Vælg kun kompetencer, der gælder for medarbejderens rolle."
        )
        cast(forms.ChoiceField, self.fields["target_level"]).choices = [
            ("", _("Intet målniveau"))
        ] + [(level.value, level.label) for level in levels if not level.is_not_applicable]


class CoursePicker(forms.Select):
    """The catalogue's courses as a select, with a search box above it that narrows the
    options as one types (htmx; without JavaScript the whole select is there).
    `options_only` renders the select alone: the search's answer."""

    template_name = "mus/widgets/course_picker.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_url = ""
        self.options_only = False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url
        context["widget"]["options_only"] = self.options_only
        return context


class ActivityForm(RevisionMixin, forms.ModelForm):
    """An activity of the plan. With `catalogue` (catalogue.selectors.PlanCourseChoices)
    it names a course, and maybe a session, from the catalogue; `urls` gives the
    search's and the sessions' addresses for htmx."""

    class Meta:
        model = PlanActivity
        fields = ["kind", "course", "session", "title", "description", "goal", "deadline"]
        field_classes = {
            "goal": SafeModelChoiceField,
            "course": SafeModelChoiceField,
            "session": SafeModelChoiceField,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "deadline": DATE,
            "course": CoursePicker,
        }

    def __init__(self, *args, goals, catalogue=None, urls: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["goal"]).queryset = goals
        self.fields["goal"].required = False
        self.fields["goal"].label = _("Hører til mål")
        set_option_label(self.fields["goal"], lambda goal: goal.text[:80])
        course = cast(forms.ModelChoiceField, self.fields["course"])
        session = cast(forms.ModelChoiceField, self.fields["session"])
        course.label = _("Kursus fra kataloget")
        course.help_text = _(
            "Kun for typen »Kursus fra kataloget«. Uden en titel får aktiviteten kursets titel."
        )
        course.error_messages["invalid_choice"] = _("kurset findes ikke i kataloget.")
        session.label = _("Hold")
        session.help_text = _(
            "Valgfrit. Uden et hold vælger medarbejderen et af kursets hold på planen."
        )
        session.error_messages["invalid_choice"] = _("holdet findes ikke i kataloget.")
        self.fields["title"].required = False
        if catalogue is None:
            del self.fields["course"], self.fields["session"]
            self.fields["title"].required = True
            return
        course.queryset, session.queryset = catalogue.courses, catalogue.sessions
        # With JavaScript, the course and session show only for a catalogue activity.
        self.fields["kind"].widget.attrs["data-course-kind"] = PlanActivity.Kind.CATALOGUE_COURSE
        course.widget.attrs["data-catalogue-field"] = ""
        session.widget.attrs["data-catalogue-field"] = ""
        course.widget.choices = catalogue.course_options
        session.widget.choices = catalogue.session_options
        if urls:
            picker = cast(CoursePicker, course.widget)
            picker.search_url = urls["search"]
            course.widget.attrs.update(
                {
                    "hx-get": urls["sessions"],
                    "hx-trigger": "change",
                    "hx-target": f"#{self['session'].auto_id}",
                    "hx-swap": "outerHTML",
                }
            )

    def clean(self):
        data = super().clean() or {}
        if "title" in data and not data["title"] and not data.get("course"):
            self.add_error("title", forms.Field.default_error_messages["required"])
        return data


class SignForm(forms.Form):
    """The signer's password, and what their screen showed: the plan's revision, its
    content hash and the content itself (to show what changed if it has)."""

    password = forms.CharField(
        label=_("Din adgangskode"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Du bekræfter din underskrift med din adgangskode."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    content_hash = forms.CharField(widget=forms.HiddenInput, min_length=64, max_length=64)
    content = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)


class SignatureDelegationForm(forms.Form):
    to_person = SafeModelChoiceField(
        label=_("Hvem må underskrive som leder?"),
        queryset=Person.objects.none(),
        widget=LongSelect,  # every active leader of the kommune
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=500,
        help_text=_("Fx at lederen er syg, på orlov eller er fratrådt."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_person"]).queryset = candidates
        set_option_label(
            self.fields["to_person"], lambda person: f"{person.name} ({person.employee_number})"
        )


class ActivityDoneForm(forms.ModelForm):
    class Meta:
        model = PlanActivity
        fields = ["done_on", "done_note"]
        widgets = {"done_on": DATE, "done_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].required = True


class AgendaQuestionForm(forms.ModelForm):
    class Meta:
        model = AgendaQuestion
        fields = ["text", "help_text", "is_active"]


class CheckInForm(forms.Form):
    """A check-in on a signed plan: the date, each activity's status with an optional
    note (fields `status-<id>` and `note-<id>`), and a general note."""

    held_on = forms.DateField(label=_("Dato for opfølgningen"), widget=DATE)
    note = forms.CharField(
        label=_("Generel note (valgfri)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"status-{activity.pk}"] = forms.ChoiceField(
                label=_("Status for %(title)s") % {"title": activity.title},
                choices=PlanActivity.Status.choices,
                initial=activity.status,
            )
            self.fields[f"note-{activity.pk}"] = forms.CharField(
                label=_("Note til %(title)s (valgfri)") % {"title": activity.title},
                required=False,
                max_length=500,
            )

    def rows(self):
        """Each activity with its status and note fields, for the template."""
        return [
            (activity, self[f"status-{activity.pk}"], self[f"note-{activity.pk}"])
            for activity in self.activities
        ]

    def statuses(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            activity.pk: (data[f"status-{activity.pk}"], data[f"note-{activity.pk}"])
            for activity in self.activities
        }
