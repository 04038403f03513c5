from django import forms

from kompetence.forms import LongSelect


class _Form(forms.Form):
    leader = forms.ChoiceField(
        choices=[("", "- Vælg -"), ("1", "Ann <b>"), ("2", 'Bo & "Co"')],
        widget=LongSelect,
        help_text="Hjælp",
    )


def test_a_long_select_writes_the_same_list_as_django_escaped_with_the_choice_selected():
    html = str(_Form(data={"leader": "2"})["leader"])
    assert html == (
        '<select aria-describedby="id_leader_helptext" id="id_leader" name="leader" required>'
        '<option value="">- Vælg -</option>'
        '<option value="1">Ann &lt;b&gt;</option>'
        '<option value="2" selected>Bo &amp; &quot;Co&quot;</option></select>'
    )
    assert " disabled" in str(_Form()["leader"].as_widget(attrs={"disabled": True}))
