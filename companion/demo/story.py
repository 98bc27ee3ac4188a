"""The demo's Dutch story, as data: Yasmine (18) has just moved into her first studio after
youth care; Els Peeters is her caregiver (begeleider) at a Flemish aftercare service.

Days are relative to the day the demo is seeded, so the story always looks recent. Nothing
here is a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.domain.life_domains import LifeDomain
from companion.domain.models import Recurrence

YOUTH_NAME = "Yasmine"
CAREGIVER_NAME = "Els Peeters"
CAREGIVER_EMAIL = "els.peeters@demo.companion.be"
YOUTH_PIN = "1357"
CAREGIVER_PIN = "2468"
CARE_PERIOD_DAYS = 240  # the care period ends in about eight months


@dataclass(frozen=True)
class Entry:
    days_ago: int
    text: str
    mood: int
    domains: tuple[LifeDomain, ...]
    shared: bool


@dataclass(frozen=True)
class GoalPlan:
    title: str
    domain: LifeDomain
    why: str
    steps: tuple[tuple[str, bool], ...]  # (title, done)
    shared: bool
    target_in_days: int | None = None


@dataclass(frozen=True)
class ReminderPlan:
    title: str
    in_days: int
    at: str  # HH:MM
    recurrence: Recurrence = Recurrence.NONE


@dataclass(frozen=True)
class ChatLine:
    from_youth: bool
    text: str


@dataclass(frozen=True)
class Story:
    diary: tuple[Entry, ...]
    goals: tuple[GoalPlan, ...]
    reminders: tuple[ReminderPlan, ...]
    chat: tuple[ChatLine, ...]
    caregiver_hours: tuple[tuple[int, str, str], ...]
    suggested_goal: GoalPlan
    suggested_reminder: ReminderPlan
    document_title: str
    document_body: str


STORY = Story(
    diary=(
        Entry(
            20,
            "Eerste week in mijn studio. Het is klein, maar het is van mij. 's Avonds is het "
            "wel heel stil.",
            4,
            (LifeDomain.HOUSING,),
            True,
        ),
        Entry(
            16,
            "Ruzie met mijn zus over geld. Ik wil niet altijd degene zijn die moet lenen.",
            2,
            (LifeDomain.RELATIONSHIPS, LifeDomain.MONEY),
            False,
        ),
        Entry(
            12,
            "Sollicitatiegesprek bij de bakkerij in de Stationsstraat. Ik was zenuwachtig, "
            "maar het ging eigenlijk goed!",
            4,
            (LifeDomain.WORK_SCHOOL,),
            True,
        ),
        Entry(
            8,
            "Brief van het OCMW gekregen. Ik begrijp niet goed wat ze vragen. Morgen bellen.",
            3,
            (LifeDomain.PAPERWORK,),
            True,
        ),
        Entry(
            5,
            "Slecht geslapen. Te veel gepiekerd over de huur van volgende maand.",
            2,
            (LifeDomain.MONEY, LifeDomain.HOUSING),
            False,
        ),
        Entry(
            2,
            "Ik mag beginnen bij de bakkerij! Eerst een proefperiode van een maand.",
            5,
            (LifeDomain.WORK_SCHOOL,),
            True,
        ),
        Entry(
            0,
            "Met Amira naar de markt geweest. Deed deugd om eens buiten te komen.",
            4,
            (LifeDomain.FREE_TIME, LifeDomain.RELATIONSHIPS),
            False,
        ),
    ),
    goals=(
        GoalPlan(
            "Een eigen budget opmaken",
            LifeDomain.MONEY,
            "Zodat ik op het einde van de maand niet blut ben.",
            (
                ("Alle vaste kosten opschrijven", True),
                ("Een spaarrekening openen", True),
                ("Elke week mijn uitgaven bijhouden", False),
            ),
            True,
            45,
        ),
        GoalPlan(
            "Werk vinden",
            LifeDomain.WORK_SCHOOL,
            "Ik wil mijn eigen geld verdienen.",
            (
                ("Mijn cv laten nalezen", True),
                ("Bij drie zaken solliciteren", True),
                ("De proefperiode bij de bakkerij goed afronden", False),
            ),
            True,
        ),
        GoalPlan(
            "Een huisarts kiezen in mijn nieuwe buurt",
            LifeDomain.HEALTH,
            "",
            (("Het ziekenfonds bellen", True), ("Een eerste afspraak maken", False)),
            True,
        ),
        GoalPlan(
            "Huurwaarborg van mijn vorige kamer terugkrijgen",
            LifeDomain.HOUSING,
            "",
            (("De plaatsbeschrijving opzoeken", False),),
            False,
        ),
    ),
    reminders=(
        ReminderPlan("Huur betalen", 6, "09:00", Recurrence.MONTHLY),
        ReminderPlan("Vuilniszakken buitenzetten", 2, "20:00", Recurrence.WEEKLY),
        ReminderPlan("Afspraak met Els (meebrengen: brief OCMW)", 3, "14:00"),
    ),
    chat=(
        ChatLine(True, "Hoi Els, ik heb een brief van het OCMW gekregen en ik snap er niks van."),
        ChatLine(
            False,
            "Hoi Yasmine! Neem hem donderdag gewoon mee, dan bekijken we hem samen. "
            "Geen paniek, dat komt goed.",
        ),
        ChatLine(True, "Oké, merci. En weet je wat? Ik mag beginnen bij de bakkerij!!"),
        ChatLine(
            False, "Wat een goed nieuws, proficiat! Zet je je eerste werkdag al in je agenda?"
        ),
    ),
    caregiver_hours=(
        (0, "09:00", "17:00"),
        (1, "09:00", "17:00"),
        (2, "09:00", "12:30"),
        (3, "09:00", "17:00"),
        (4, "09:00", "16:00"),
    ),
    suggested_goal=GoalPlan(
        "Een studietoelage aanvragen",
        LifeDomain.PAPERWORK,
        "Als je volgend jaar avondschool volgt, heb je daar misschien recht op.",
        (("Nagaan of je in aanmerking komt", False), ("Het formulier invullen", False)),
        True,
    ),
    suggested_reminder=ReminderPlan("Loonbrief van de bakkerij bewaren", 30, "18:00"),
    document_title="Handelingsplan nazorg - voorjaar",
    document_body=(
        "Dit plan maakten we samen op ons gesprek van vorige week.\n\n"
        "Wat goed gaat:\n"
        "- Je woont sinds drie weken in je eigen studio en je houdt je vaste kosten bij.\n"
        "- Je vond zelf werk: een proefperiode bij de bakkerij.\n\n"
        "Waar we samen aan werken:\n"
        "- De brief van het OCMW beantwoorden (afspraak donderdag).\n"
        "- Een huisarts in je buurt kiezen.\n\n"
        "Klopt dit voor jou? Schrijf gerust je eigen reactie onder dit plan."
    ),
)
