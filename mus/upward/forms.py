"""Forms of the upward feedback: the questionnaire and HR's statement form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from mus.models import UpwardQuestion
from mus.upward.rules import SCALE_LABELS


class UpwardAnswerForm(forms.Form):
    """One required 1–5 choice per active statement."""

    def __init__(self, *args, questions: list[UpwardQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(value, f"{value} – {label}") for value, label in SCALE_LABELS.items()]
        for number, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {question.text}",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Vælg et svar på udsagn %(number)s: »%(text)s«.")
                    % {"number": number, "text": question.text}
                },
            )
        self.questions = questions

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class UpwardQuestionForm(forms.ModelForm):
    class Meta:
        model = UpwardQuestion
        fields = ["text", "is_active"]
        help_texts = {"text": ""}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Skriv udsagnet."))
        return text
