"""The screens people use most, on a desktop and on a phone, with the demo kommune's
data: a screenshot of each at 1280 and at 375 px wide (under test-results/screens/, or
$SCREENSHOTS_DIR, for a person to look at), no page that scrolls sideways on the phone,
and axe-core clean there; then the employee's whole journey with a thumb, at 375 px.

The demo data is seeded once per test (a live server needs committed rows, and pytest
flushes them after each test); each role signs in once, and its desktop and phone
windows share that login."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from catalogue.models import Course
from kompetence.demo import DEMO_PASSWORD
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, MEDCommittee, Person
from kompetence.permissions import persons_led_by
from mus import selectors as mus_selectors
from mus import services as mus_services
from mus.models import Conversation, Plan
from profiles.models import Evaluation, FrameworkVersion
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("SCREENSHOTS_DIR", "test-results/screens"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# Elements that reach past the right edge of the window: what makes a page scroll sideways.
TOO_WIDE = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1) return false;
      // Positioned out of the flow, it escapes a clipping box that is not its own.
      if (["absolute", "fixed"].includes(getComputedStyle(el).position)) return true;
      for (let up = el.parentElement; up; up = up.parentElement) {
        const overflow = getComputedStyle(up).overflowX;
        if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return false;
      }
      return true;
    })
    .slice(0, 5)
    .map((el) => {
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.tagName.toLowerCase()}.${el.className} (${right} px)`;
    });
}"""


@dataclass
class Screen:
    name: str
    login: str  # a demo login
    path: str


def _seed(settings, tmp_path) -> Kommune:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", kommune=["fredericia"], stdout=io.StringIO())
    return Kommune.objects.get(slug="fredericia")


def _login_person(username: str) -> Person:
    return Person.objects.get(user__username=username)


def _screens(kommune: Kommune) -> list[Screen]:
    """The fifteen pages people open most, across the roles, with the demo's data."""
    with kommune_scope(kommune):
        employee = _login_person("medarbejder")
        leader = _login_person("leder")
        med = _login_person("med")
        self_evaluation = Evaluation.objects.filter(subject=employee, kind="self").latest("pk")
        leader_evaluation = (
            Evaluation.objects.filter(kind="leader", subject__in=persons_led_by(leader))
            .exclude(subject=employee)
            .order_by("pk")
            .first()
        )
        assert leader_evaluation is not None
        conversation = Conversation.objects.get(
            employee=employee, status=Conversation.Status.SCHEDULED
        )
        plan = Plan.objects.filter(leader=leader).order_by("pk").first()
        assert plan is not None
        course = Course.objects.filter(status="published").order_by("pk").first()
        assert course is not None
        version = FrameworkVersion.objects.order_by("-pk").first()
        assert version is not None
        committee = MEDCommittee.objects.filter(memberships__person=med).order_by("pk").first()
        assert committee is not None
    return [
        Screen("01-employee-home", "medarbejder", "/"),
        Screen(
            "02-self-evaluation",
            "medarbejder",
            reverse("evaluation_form", args=[self_evaluation.pk]),
        ),
        Screen("03-my-competences", "medarbejder", reverse("my_competences")),
        Screen("04-catalogue", "medarbejder", reverse("catalogue")),
        Screen("05-course-detail", "medarbejder", reverse("course_detail", args=[course.pk])),
        Screen("06-mus-preparation", "medarbejder", reverse("preparation", args=[conversation.pk])),
        Screen("07-plan", "leder", reverse("plan_detail", args=[plan.pk])),
        Screen("08-my-team", "leder", reverse("team_overview")),
        Screen(
            "09-leader-evaluation",
            "leder",
            reverse("evaluation_form", args=[leader_evaluation.pk]),
        ),
        Screen("10-hr-home", "hr", "/"),
        Screen("11-person-list", "hr", reverse("person_list")),
        Screen("12-framework-editor", "hr", reverse("framework_version", args=[version.pk])),
        Screen("13-aarshjul", "hr", reverse("cycle")),
        Screen("14-med-dashboard", "med", reverse("med_dashboard", args=[committee.pk])),
        Screen("15-gap-reports", "hr", reverse("gap_report_list")),
        Screen("17-mus-evaluation", "med", reverse("mus_evaluation_list")),
    ]


class Windows:
    """A desktop and a phone window per demo login, signed in once."""

    def __init__(self, browser: Browser, url_of, kommune: Kommune):
        self.browser, self.url_of, self.kommune = browser, url_of, kommune
        self.pages: dict[tuple[str, str], Page] = {}
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    def _context(self, viewport: dict, **options) -> BrowserContext:
        context = self.browser.new_context(
            locale="da-DK", viewport=viewport, has_touch=viewport is PHONE, **options
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context

    def page(self, login: str, width: str) -> Page:
        if (login, width) not in self.pages:
            if (login, "desktop") not in self.pages:
                first = self._context(DESKTOP).new_page()
                log_in(first, self.url_of(self.kommune, "/log-ind/"), login, DEMO_PASSWORD)
                self._watch(first)
                self.pages[(login, "desktop")] = first
            if width == "phone":
                state = self.pages[(login, "desktop")].context.storage_state()
                phone = self._context(PHONE, storage_state=state).new_page()
                self._watch(phone)
                self.pages[(login, "phone")] = phone
        return self.pages[(login, width)]

    def _watch(self, page: Page) -> None:
        page.on("dialog", lambda dialog: dialog.accept())
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"{page.url}: {msg.text}") if msg.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _shoot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def _scrolls_sideways(page: Page) -> list[str]:
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        return page.evaluate(TOO_WIDE) or ["(the page is wider than the window)"]
    return []


def test_the_most_used_pages_on_a_desktop_and_on_a_phone(browser, url_of, settings, tmp_path):
    kommune = _seed(settings, tmp_path)
    screens = _screens(kommune)
    assert len(screens) == 16
    windows = Windows(browser, url_of, kommune)
    too_wide: dict[str, list[str]] = {}
    try:
        for screen in screens:
            for width in ("desktop", "phone"):
                page = windows.page(screen.login, width)
                response = page.goto(url_of(kommune, screen.path))
                assert response is not None and response.ok, (screen.name, response)
                page.wait_for_load_state("networkidle")
                _shoot(page, f"{screen.name}-{width}")
            if wide := _scrolls_sideways(page):
                too_wide[screen.name] = wide
            assert_accessible(page)
        # HR's grouped menu, opened, on both.
        for width in ("desktop", "phone"):
            page = windows.page("hr", width)
            page.goto(url_of(kommune, reverse("person_list")))
            page.locator("nav.main-nav summary", has_text="Kompetencer").click()
            expect(page.get_by_role("link", name="Kompetencerammer")).to_be_visible()
            _shoot(page, f"16-hr-menu-open-{width}")
            if width == "phone":
                assert not _scrolls_sideways(page)
                assert_accessible(page)
    finally:
        windows.close()
    assert too_wide == {}, f"pages that scroll sideways at 375 px: {too_wide}"
    assert windows.problems == [], "the browser reported errors (CSP violations included)"


def _answer_every_competence(page: Page) -> None:
    """Answers each competence not yet answered with the third level of the scale."""
    for group in page.get_by_role("group").all():
        radios = group.locator("input[type=radio]")
        if radios.count() < 3 or group.locator("input[type=radio]:checked").count():
            continue
        radios.nth(2).check()
        expect(group.get_by_role("status")).to_have_text(re.compile("Gemt"))


def test_the_employee_journey_on_a_phone(browser, url_of, settings, tmp_path):
    """Home, the self-evaluation answered and sent in, Mine kompetencer, the catalogue,
    the MUS preparation, and the plan signed, all at 375 px with a touch screen."""
    kommune = _seed(settings, tmp_path)
    windows = Windows(browser, url_of, kommune)
    try:
        page = windows.page("medarbejder", "phone")
        page.goto(url_of(kommune, "/"))
        assert not _scrolls_sideways(page)

        # The self-evaluation: from the home page's task, every answer, sent in.
        page.get_by_role("link", name=re.compile("selvevaluering", re.I)).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Selvevaluering")
        _answer_every_competence(page)
        assert not _scrolls_sideways(page)
        page.get_by_role("button", name="Indsend evaluering").click()
        expect(page.get_by_text("Evalueringen er indsendt.")).to_be_visible()
        assert_accessible(page)

        # Mine kompetencer and the catalogue, from the menu.
        page.get_by_role("link", name="Mine kompetencer").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mine kompetencer")
        assert not _scrolls_sideways(page)
        page.get_by_role("link", name="Kursuskatalog").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kursuskatalog")
        assert not _scrolls_sideways(page)
        assert_accessible(page)

        # The MUS preparation, from the home page's coming MUS: an answer typed with the
        # thumb is saved.
        page.get_by_role("link", name="Forside").click()
        page.get_by_role("link", name="Forbered dig").first.click()
        field = page.get_by_label(re.compile("Hvilke kompetencer vil du udvikle"))
        field.tap()
        field.fill("Vil blive bedre til de nye sagstyper")
        field.blur()
        expect(page.locator("#prep-saved")).to_contain_text("Gemt kl.")
        assert not _scrolls_sideways(page)
        assert_accessible(page)

        # The conversation is held and the leader writes the plan; the employee signs.
        with kommune_scope(kommune):
            conversation = Conversation.objects.get(
                employee__user__username="medarbejder", status=Conversation.Status.SCHEDULED
            )
            mus_services.conversation_mark_held(conversation=conversation)
            plan = mus_services.plan_get_or_create(conversation=conversation)
            version = mus_selectors.current_version(plan)
            mus_services.goal_add(
                version=version,
                revision=version.revision,
                text="Bliver tryg i de nye sagstyper",
            )
        page.goto(url_of(kommune, reverse("plan_detail", args=[plan.pk])))
        expect(page.get_by_text("Bliver tryg i de nye sagstyper").first).to_be_visible()
        assert not _scrolls_sideways(page)
        page.get_by_label("Din adgangskode").fill(DEMO_PASSWORD)
        sign = page.get_by_role("button", name="Underskriv planen")
        assert sign.bounding_box()["height"] >= 44
        sign.tap()
        expect(page.get_by_text("Planen er underskrevet.")).to_be_visible()
        assert not _scrolls_sideways(page)
        assert_accessible(page)
        _shoot(page, "17-journey-plan-signed-phone")
    finally:
        windows.close()
    assert windows.problems == [], "the browser reported errors (CSP violations included)"
