"""A kommune's whole first day in the browser, from an empty deployment and with no
management command (issue 16's "done when"):

the operator creates the kommune and invites its HR administrator → HR sets a password
from the e-mail, imports the organisation from a file, picks a starter framework and
publishes it, sets up a Center-MED, opens a round and invites a unit → an imported
employee sets a password from the invitation and answers the self-evaluation → a MED
member, also from the file, sets a password and sees the committee's dashboard.

Only the operator's login is made in the database: there is no page that makes one.
HR's getting-started checklist follows each step. axe-core checks the main pages.
Set FIRST_DAY_SCREENSHOTS=<folder> to keep the screenshots; else they go to the test's
temporary folder."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, User
from profiles.models import Evaluation, EvaluationRound
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"

# The payroll system's export as HR downloads it (Windows-1252, `;`): one row per
# person, the unit's name and parent repeated on every row, a unit-only row for the top.
ORGANISATION = [
    "enhed_id;enhed_navn;overenhed_id;enhed_type;medarbejdernr;navn;email;stilling;leder",
    "100;Direktionen;;direktion;;;;;",
    "200;Center for Sundhed og Omsorg;100;center;7001;Birgitte Ærø;birgitte@fjordby.example;"
    "Centerchef;ja",
    "210;Hjemmeplejen Nord;200;team;7101;Jørgen Skovgård;jorgen@fjordby.example;Teamleder;ja",
    "210;Hjemmeplejen Nord;200;team;7102;Søren Æbelø;soren@fjordby.example;"
    "Social- og sundhedsassistent;nej",
    "210;Hjemmeplejen Nord;200;team;7103;Mette Frandsen;mette@fjordby.example;"
    "Social- og sundhedshjælper;nej",
    "210;Hjemmeplejen Nord;200;team;7104;Åse Ørnebjerg;aase@fjordby.example;Sygeplejerske;nej",
    "210;Hjemmeplejen Nord;200;team;7105;Kasper Lund;kasper@fjordby.example;"
    "Social- og sundhedshjælper;nej",
    "210;Hjemmeplejen Nord;200;team;7106;Fatima Hussein;fatima@fjordby.example;"
    "Social- og sundhedsassistent;nej",
    "220;Hjemmeplejen Syd;200;team;7201;Lars Bøgh;lars@fjordby.example;Teamleder;ja",
    "220;Hjemmeplejen Syd;200;team;7202;Ida Kjær;ida@fjordby.example;Sygeplejerske;nej",
]
# The employee who answers, and the member of the Center-MED.
EMPLOYEE = ("Søren Æbelø", "soren@fjordby.example")
MED_MEMBER = ("Mette Frandsen", "mette@fjordby.example")

# What the employee answers: the starter framework's nine competences for everyone.
ANSWERS = [
    ("Forandringskompetence", "Kompetent"),
    ("Innovationskompetence", "Avanceret begynder"),
    ("Lærings- og videndelingskompetence", "Kompetent"),
    ("Samarbejdskompetence", "Kyndig"),
    ("Selvledelseskompetence", "Kompetent"),
    ("Kommunikationskompetence", "Kyndig"),
    ("Faglig kompetence", "Ekspert"),
    ("Servicekompetence", "Kyndig"),
    ("Resultatskabende kompetence", "Kompetent"),
]


class Browsers:
    """A browser context per person, each page failing the test on a browser error
    (CSP violations included), as the `page` fixture does."""

    def __init__(self, browser, folder: str):
        self.browser = browser
        self.folder = folder
        self.contexts: list = []
        self.problems: list[str] = []

    def page(self) -> Page:
        context = self.browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console", lambda msg: self.problems.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    def snap(self, page: Page, name: str) -> None:
        page.screenshot(path=os.path.join(self.folder, f"{name}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def link_for(address: str) -> str:
    """The path of the invitation link in the one e-mail sent to `address`."""
    bodies = [message.body for message in mail.outbox if message.to == [address]]
    assert len(bodies) == 1, f"{len(bodies)} e-mails to {address}"
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", bodies[0]).group(1)


def set_password(page: Page, url: str, name: str, password: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vælg din adgangskode")
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)
    page.get_by_role("button", name="Gem adgangskode og log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Velkommen, {name}")


def step(checklist, label: str):
    return checklist.get_by_role("listitem").filter(has_text=label)


def test_a_new_kommune_gets_through_its_first_day_in_the_browser(
    browser, page, live_server, url_of, tmp_path
):
    folder = os.environ.get("FIRST_DAY_SCREENSHOTS") or str(tmp_path)
    people = Browsers(browser, folder)
    try:
        _first_day(page, people, live_server, url_of)
    finally:
        people.close()
    assert people.problems == [], "the browser reported errors (CSP violations included)"


def _first_day(operator: Page, people: Browsers, live_server, url_of) -> None:
    # --- The operator: a kommune and its first HR administrator ----------------------
    User.objects.create_user(username="drift", password="drift-kode-1234", is_staff=True)
    bare = f"http://localhost:{live_server.url.rsplit(':', 1)[1]}"
    log_in(operator, f"{bare}/platform/log-ind/", "drift", "drift-kode-1234")
    expect(operator.get_by_role("heading", level=1)).to_have_text("Kommuner")
    operator.get_by_role("link", name="Opret kommune").click()
    operator.get_by_role("textbox", name="Navn", exact=True).fill("Fjordby Kommune")
    operator.get_by_label("Kort navn (subdomæne)").fill("fjordby")
    operator.get_by_role("button", name="Opret kommune").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("Fjordby Kommune")
    hr_form = operator.locator("#hr")
    hr_form.get_by_role("textbox", name="Navn", exact=True).fill("Helle Personalechef")
    hr_form.get_by_label("E-mail").fill("helle@fjordby.example")
    hr_form.get_by_role("button", name="Send invitation").click()
    expect(operator.get_by_text("Invitation sendt til Helle Personalechef")).to_be_visible()
    assert_accessible(operator)
    people.snap(operator, "01-operator-kommune")
    kommune = Kommune.objects.get(slug="fjordby")

    # --- HR: a password from the e-mail, and the checklist --------------------------
    hr = people.page()
    set_password(
        hr,
        url_of(kommune, link_for("helle@fjordby.example")),
        "Helle Personalechef",
        "helle-vælger-en-god-kode",
    )
    checklist = hr.get_by_role("region", name="Kom godt i gang")
    expect(checklist).to_contain_text("0 af 7 trin er gjort")
    organisation_step = step(checklist, "Importér organisationen")
    expect(organisation_step).to_contain_text("Mangler")
    assert_accessible(hr)
    people.snap(hr, "02-hr-home-first")

    # --- HR imports the organisation from the payroll file --------------------------
    organisation_step.get_by_role("link").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Import: Organisation og medarbejdere")
    assert_accessible(hr)
    upload = os.path.join(people.folder, "fjordby-loenudtraek.csv")
    with open(upload, "wb") as file:
        file.write(("\r\n".join(ORGANISATION) + "\r\n").encode("cp1252"))
    hr.get_by_role("button", name="Fil", exact=True).set_input_files(upload)
    hr.get_by_role("button", name="Kontrollér filen").click()
    expect(hr.get_by_role("status").filter(has_text="Kontrollen er færdig")).to_be_visible()
    hr.get_by_text("Nye personer (9)").click()
    expect(hr.get_by_text("Søren Æbelø (7102) i Hjemmeplejen Nord")).to_be_visible()
    assert_accessible(hr)
    people.snap(hr, "03-import-dry-run")
    hr.get_by_role("button", name="Gennemfør importen").click()
    expect(hr.get_by_role("status").filter(has_text="Importen er gennemført")).to_be_visible()
    assert_accessible(hr)

    hr.get_by_role("link", name="Forside").click()
    expect(step(checklist, "Importér organisationen")).to_contain_text("Gjort")
    framework_step = step(checklist, "Vælg en kompetenceramme")
    expect(framework_step).to_contain_text("Mangler")

    # --- HR picks a starter framework and publishes it -------------------------------
    framework_step.get_by_role("link").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Start med en skabelon")
    assert_accessible(hr)
    hr.get_by_role("button", name="Brug som kladde Kompetencehjulet").click()
    expect(hr.get_by_role("heading", level=1)).to_contain_text("Kladde")
    hr.get_by_role("link", name="Offentliggør", exact=True).click()
    expect(hr.get_by_text("Versionen låses")).to_be_visible()
    hr.get_by_role("button", name="Offentliggør version 1").click()
    expect(hr.get_by_role("heading", level=1)).to_contain_text("Offentliggjort")
    assert_accessible(hr)
    people.snap(hr, "04-framework-published")

    hr.get_by_role("link", name="Forside").click()
    expect(step(checklist, "Vælg en kompetenceramme")).to_contain_text("Gjort")
    med_step = step(checklist, "Opret MED-udvalgene")
    expect(med_step).to_contain_text("Mangler")

    # --- HR sets up the Center-MED ---------------------------------------------------
    med_step.get_by_role("link").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("MED-udvalg")
    expect(hr.get_by_text("Kommunen har endnu ingen MED-udvalg.")).to_be_visible()
    hr.get_by_role("link", name="Nyt MED-udvalg").click()
    hr.get_by_label("Navn").fill("Center-MED Sundhed og Omsorg")
    hr.get_by_label("Niveau").select_option("center")
    hr.get_by_label("Dækker enheden").select_option(label=f"{NBSP * 4}Center for Sundhed og Omsorg")
    hr.get_by_label("Medlemmer").select_option(label=["Mette Frandsen (7103)", "Lars Bøgh (7201)"])
    hr.get_by_label("Formand", exact=True).select_option(label="Birgitte Ærø (7001)")
    assert_accessible(hr)
    hr.get_by_role("button", name="Gem").click()
    row = hr.get_by_role("row", name=re.compile("^Center-MED Sundhed og Omsorg"))
    expect(row).to_contain_text("Birgitte Ærø")
    expect(row).to_contain_text("3")  # the chair and two members
    assert_accessible(hr)
    people.snap(hr, "05-med-committees")

    hr.get_by_role("link", name="Forside").click()
    expect(step(checklist, "Opret MED-udvalgene")).to_contain_text("Gjort")
    round_step = step(checklist, "Åbn den første evalueringsrunde")
    expect(round_step).to_contain_text("Mangler")

    # --- HR opens a round for the centre ---------------------------------------------
    round_step.get_by_role("link").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Ny evalueringsrunde")
    assert_accessible(hr)
    hr.get_by_label("Navn").fill("Kompetencer 2026 i Sundhed og Omsorg")
    hr.get_by_label("Ramme").select_option(label="Kompetencehjulet (v1)")
    hr.get_by_label("Enhed").select_option(label=f"{NBSP * 4}Center for Sundhed og Omsorg")
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    hr.get_by_label("Frist").fill(deadline.isoformat())
    hr.get_by_role("button", name="Åbn runden").click()
    expect(hr.get_by_text("Evalueringsrunden er åbnet.")).to_be_visible()
    expect(hr.get_by_role("heading", level=1)).to_contain_text(
        "Kompetencer 2026 i Sundhed og Omsorg"
    )
    assert_accessible(hr)
    people.snap(hr, "06-round-opened")

    # --- HR invites the unit of the employee and the MED member ----------------------
    hr.get_by_role("link", name="Forside").click()
    expect(step(checklist, "Åbn den første evalueringsrunde")).to_contain_text("Gjort")
    invitations_step = step(checklist, "Send invitationer")
    expect(invitations_step).to_contain_text("Mangler")
    invitations_step.get_by_role("link").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Invitationer")
    assert_accessible(hr)
    hr.get_by_label("Enhed").select_option(label=f"{NBSP * 8}Hjemmeplejen Nord")
    hr.get_by_role("button", name="Send invitationer").click()
    expect(hr.get_by_text("Invitationer sendt: 6.")).to_be_visible()
    assert_accessible(hr)
    people.snap(hr, "07-invitations-sent")

    hr.get_by_role("link", name="Forside").click()
    expect(step(checklist, "Send invitationer")).to_contain_text("Gjort")
    # Left for later: job profiles and the årshjul's review.
    expect(checklist).to_contain_text("5 af 7 trin er gjort")
    people.snap(hr, "08-hr-home-after")
    # Hjemmeplejen Nord got its invitations; Hjemmeplejen Syd (another unit) none yet.
    assert sorted(message.to[0] for message in mail.outbox[1:]) == sorted(
        line.split(";")[6] for line in ORGANISATION if line.startswith("210;")
    )

    # --- An imported employee: a password, then the self-evaluation ----------------
    employee = people.page()
    set_password(employee, url_of(kommune, link_for(EMPLOYEE[1])), EMPLOYEE[0], "søren-1234-kode")
    assert_accessible(employee)
    employee.get_by_role("link", name="Kompetencer 2026 i Sundhed og Omsorg").first.click()
    expect(employee.get_by_role("heading", level=1)).to_contain_text("Selvevaluering")
    expect(employee.get_by_text(f"0 af {len(ANSWERS)} besvaret")).to_be_visible()
    assert_accessible(employee)
    for competence, level in ANSWERS:
        block = employee.get_by_role("group", name=competence)
        block.get_by_label(level, exact=True).check()
        expect(block.get_by_role("status")).to_have_text("Gemt")
    expect(employee.get_by_text(f"{len(ANSWERS)} af {len(ANSWERS)} besvaret")).to_be_visible()
    employee.get_by_role("button", name="Indsend evaluering").click()
    expect(employee.get_by_text("Evalueringen er indsendt.")).to_be_visible()
    assert_accessible(employee)
    people.snap(employee, "09-self-evaluation-submitted")
    with kommune_scope(kommune):
        submitted = Evaluation.objects.filter(
            round=EvaluationRound.objects.get(), status=Evaluation.Status.SUBMITTED
        )
        assert [evaluation.subject.name for evaluation in submitted] == [EMPLOYEE[0]]

    # --- The MED member: a password from the unit's invitation, then the dashboard ---
    member = people.page()
    set_password(member, url_of(kommune, link_for(MED_MEMBER[1])), MED_MEMBER[0], "mette-1234-kode")
    member.get_by_role("link", name="Overblik").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Overblik")
    member.get_by_role("link", name="Center-MED Sundhed og Omsorg").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(
        "Center-MED Sundhed og Omsorg: Center for Sundhed og Omsorg"
    )
    expect(
        member.get_by_text("Evalueringer og gab fra Kompetencer 2026 i Sundhed og Omsorg.")
    ).to_be_visible()
    expect(member.get_by_text("Udvalget ser kun samlede tal")).to_be_visible()
    progress = member.get_by_role(
        "table", name="Fremdrift pr. enhed i Center for Sundhed og Omsorg"
    )
    # Six people in Hjemmeplejen Nord, one self-evaluation in; Syd's two are hidden.
    expect(progress.get_by_role("row", name="Hjemmeplejen Nord")).to_contain_text("1 af 6")
    expect(progress.get_by_role("row", name="Hjemmeplejen Syd")).to_contain_text(
        "skjult: færre end 5 personer"
    )
    body = member.locator("main").inner_text()
    assert EMPLOYEE[0] not in body
    assert_accessible(member)
    people.snap(member, "10-med-dashboard")
