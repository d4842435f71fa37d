"""A large, fictional, Czech-sounding directory and meeting history for the load benchmark,
inserted in bulk.

Rows go in with the ORM's bulk INSERT (``session.execute(insert(Model), rows)``): no unit of
work, no audit entries, a few statements per table. ``search_text`` is still computed by the
models' own ``refresh_search_text`` on throw-away objects, so the search sees exactly what it
would see had the rows been saved through the application.
"""
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from council.auth import services as auth_services
from council.auth.models import Person
from council.auth.roles import Role
from council.core.text import fold, utcnow
from council.core.timezones import local_to_utc, utc_to_local
from council.directory.models import Locality, Organisation, Sector, Service, organisation_locality
from council.extensions import db
from council.meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Conclusion,
    DueKind,
    Invitation,
    InvitationResponse,
    Meeting,
    MeetingStatus,
    MeetingType,
    Minutes,
    MinutesAmendment,
    MinutesReview,
    MinutesStatus,
    ReviewState,
    conclusion_organisation,
    conclusion_person,
)

BENCH_DOMAIN = "bench.example"
BENCH_EMAIL = f"secretary@{BENCH_DOMAIN}"


@dataclass(frozen=True)
class Size:
    people: int = 2000
    organisations: int = 300
    services: int = 1000
    localities: int = 40
    meetings: int = 200
    items: tuple[int, int] = (10, 30)  # agenda items per meeting, at least and at most
    invitees: tuple[int, int] = (20, 60)

    def scaled(self, factor: float) -> "Size":
        def scale(n: int) -> int:
            return max(1, round(n * factor))

        return Size(scale(self.people), scale(self.organisations), scale(self.services),
                    scale(self.localities), max(3, scale(self.meetings)),
                    (scale(self.items[0]), max(3, scale(self.items[1]))),
                    (max(2, scale(self.invitees[0])), max(3, scale(self.invitees[1]))))


@dataclass
class Seeded:
    """The records bench/run.py measures, in this database."""

    meeting_id: int = 0         # the largest meeting: most items and invitees, approved minutes
    upcoming_meeting_id: int = 0  # as large, in two weeks: agenda and invitations, no minutes yet
    attendance_meeting_id: int = 0  # a meeting held today, its attendance list open
    invitation_ids: list[int] = field(default_factory=list)  # that meeting's invitees
    meetings: int = 0
    agenda_items: int = 0
    invitations: int = 0
    conclusions: int = 0


TOWNS = ["Vymyšlenov", "Smyšlená Lhota", "Horní Bříza", "Dolní Úvoz", "Nová Ves u Brodu",
         "Kamenný Újezd", "Lipník nad Bečvou", "Zbraslavice", "Hradiště", "Polná",
         "Libčany", "Olšany", "Břežany", "Stará Huť", "Červená Řečice"]
DISTRICTS = ["Centrum", "Nádražní čtvrť", "Sídliště Jih", "Sídliště Sever", "Horní Lhota",
             "Dolní Lhota", "Průmyslová zóna", "Zahradní město", "Podlesí", "Na Výsluní",
             "Staré Město", "Nové Město", "Zámecký vrch", "U Rybníka", "Háje", "Krč", "Lhotka",
             "Záběhlice", "Kopanina", "Vinohrady", "Žižkov", "Libeň", "Bohnice", "Strašnice",
             "Radlice", "Hlubočepy", "Řepy", "Čimice", "Kobylisy", "Ďáblice"]
BRANDS = ["Naděje", "Cesta", "Most", "Přístav", "Laguna", "Prostor", "Kotva", "Maják", "Sananim",
          "Podané ruce", "Jako doma", "Oáza", "Krok", "Slunce", "Křižovatka", "Duha", "Open",
          "Ulice", "Start", "Brána", "Světlo", "Ostrov", "Pramen", "Lávka", "Kompas"]
STREETS = ["Komenského", "Masarykova", "Husova", "Palackého", "Školní", "Nádražní", "Polní",
           "Lipová", "Zahradní", "Luční", "Sokolská", "Tyršova", "Jiráskova", "Nerudova"]

# sector code -> name patterns
ORGANISATION_KINDS = {
    "municipality": ["Město {town} – odbor sociálních věcí", "Obecní úřad {town}",
                     "Úřad městské části {district}"],
    "regional_authority": ["Krajský úřad – odbor zdravotnictví, pracoviště {town}",
                           "Krajský úřad – odbor sociálních věcí, pracoviště {town}"],
    "police": ["Policie ČR – obvodní oddělení {town}", "Městská policie {town}",
               "Městská policie {town} – okrsek {district}"],
    "health_care": ["Nemocnice {town} – psychiatrické oddělení", "Psychiatrická ambulance {brand}",
                    "Adiktologická ambulance {town}", "Centrum duševního zdraví {district}"],
    "addiction_services": ["Kontaktní centrum {brand} {town}", "Adiktologická poradna {brand}",
                           "Terénní program {brand} {town}", "Doléčovací centrum {brand}"],
    "social_services": ["Azylový dům {brand} {town}", "Nízkoprahový klub {brand} {district}",
                        "Charita {town}", "Noclehárna {brand} {town}"],
    "school_prevention": ["Základní škola {street}, {town}", "Pedagogicko-psychologická poradna {town}",
                          "Střední odborná škola {town}"],
    "probation": ["Probační a mediační služba – středisko {town}"],
    "public_health": ["Krajská hygienická stanice – územní pracoviště {town}"],
    "other": ["Spolek {brand} {town}", "Nadační fond {brand}", "Sdružení rodičů {town}"],
}
SECTOR_WEIGHTS = {"municipality": 2, "regional_authority": 1, "police": 2, "health_care": 3,
                  "addiction_services": 5, "social_services": 4, "school_prevention": 4,
                  "probation": 1, "public_health": 1, "other": 2}

# (service name, target group, description, how to refer)
SERVICES = [
    ("Výměnný program", "lidé, kteří užívají drogy injekčně",
     "Anonymní výměna injekčního materiálu a testy na HIV a hepatitidy.", "Bez objednání."),
    ("Terénní program", "lidé užívající drogy na ulici", "Streetwork v lokalitách města.",
     "Zavolejte terénním pracovníkům."),
    ("Ambulantní poradenství", "lidé se závislostí a jejich blízcí",
     "Individuální a rodinné konzultace.", "Objednání telefonicky nebo e-mailem."),
    ("Poradenství pro rodiče", "rodiče dospívajících", "Skupiny a konzultace pro rodiče.",
     "Stačí napsat e-mail."),
    ("Detoxifikace", "dospělí uživatelé drog a alkoholu", "Lůžková detoxifikace 7–10 dní.",
     "Doporučení praktického lékaře."),
    ("Substituční léčba", "lidé závislí na opioidech", "Metadon a buprenorfin pod dohledem.",
     "Objednání po vstupním pohovoru."),
    ("Noclehárna", "lidé bez domova", "Přenocování v zimních měsících.", "Příchod 18–20 h."),
    ("Sociální poradenství", "lidé v tíživé situaci", "Dávky, bydlení, dluhy, doklady.",
     "Bez objednání v úředních hodinách."),
    ("Dluhové poradenství", "lidé v exekuci", "Pomoc s oddlužením.", "Objednání telefonicky."),
    ("Primární prevence", "žáci základních a středních škol",
     "Preventivní programy pro třídní kolektivy.", "Objednává škola."),
    ("Krizová intervence", "lidé v akutní krizi", "Okamžitá pomoc nonstop.", "Volejte linku."),
    ("Doléčování", "abstinující klienti po léčbě", "Chráněné bydlení a skupiny.",
     "Po ukončené léčbě."),
    ("Probační dohled", "klienti s uloženým dohledem", "Práce s klienty v dohledu.",
     "Na základě rozhodnutí soudu."),
    ("Sběr injekčních stříkaček", "veřejnost", "Bezpečný sběr nalezeného materiálu.",
     "Volejte linku 156."),
    ("Testování na infekční nemoci", "lidé s rizikovým chováním", "Rychlotesty HIV, HCV, syfilis.",
     "Anonymně, bez objednání."),
]

MALE = ["Jan", "Petr", "Tomáš", "Martin", "Jiří", "Pavel", "Jakub", "Lukáš", "David", "Ondřej",
        "Michal", "Josef", "Roman", "Filip", "Vojtěch", "Marek", "Radek", "Zdeněk"]
FEMALE = ["Jana", "Eva", "Marie", "Lucie", "Kateřina", "Alena", "Hana", "Veronika", "Zuzana",
          "Petra", "Lenka", "Tereza", "Martina", "Markéta", "Barbora", "Klára", "Ivana"]
SURNAMES = [("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Dvořák", "Dvořáková"),
            ("Černý", "Černá"), ("Procházka", "Procházková"), ("Kučera", "Kučerová"),
            ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová"),
            ("Marek", "Marková"), ("Pospíšil", "Pospíšilová"), ("Pokorný", "Pokorná"),
            ("Hájek", "Hájková"), ("Král", "Králová"), ("Jelínek", "Jelínková"),
            ("Růžička", "Růžičková"), ("Beneš", "Benešová"), ("Fiala", "Fialová"),
            ("Sedláček", "Sedláčková"), ("Doležal", "Doležalová"), ("Zeman", "Zemanová"),
            ("Kolář", "Kolářová"), ("Navrátil", "Navrátilová"), ("Čermák", "Čermáková"),
            ("Vaněk", "Vaňková"), ("Urban", "Urbanová"), ("Blažek", "Blažková"),
            ("Kříž", "Křížová"), ("Kovář", "Kovářová"), ("Bartoš", "Bartošová")]
FUNCTIONS = ["sociální pracovník", "terénní pracovník", "vedoucí služby", "adiktolog",
             "metodik prevence", "preventista", "ředitel", "koordinátor", "psycholog",
             "zdravotní sestra", "lékař", "probační úředník", "strážník", "referent",
             "místostarosta", "vedoucí odboru", "výchovný poradce", ""]


def _organisation_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    codes = list(SECTOR_WEIGHTS)
    weights = [SECTOR_WEIGHTS[c] for c in codes]
    names: dict[str, str] = {}
    attempts = 0
    while len(names) < count:
        attempts += 1
        code = rng.choices(codes, weights)[0]
        name = rng.choice(ORGANISATION_KINDS[code]).format(
            town=rng.choice(TOWNS), district=rng.choice(DISTRICTS), brand=rng.choice(BRANDS),
            street=rng.choice(STREETS))
        if attempts > count * 20:  # the patterns are exhausted: number the rest
            name = f"{name} {attempts}"
        names.setdefault(name, code)
    return list(names.items())


def _short_name(name: str) -> str:
    words = [w for w in name.replace("–", " ").replace(",", " ").split() if w[:1].isupper()]
    return "".join(w[0] for w in words)[:8]


def seed(size: Size = Size(), *, password: str, random_seed: int = 2026) -> Seeded:
    """Fill an empty, migrated database (inside an app context); commits once at the end."""
    rng = random.Random(random_seed)
    session = db.session
    sector_ids = dict(session.execute(sa.select(Sector.code, Sector.id)).all())

    locality_names = (DISTRICTS + [f"{t} – {d}" for t in TOWNS for d in DISTRICTS])[:size.localities]
    locality_ids = list(session.scalars(
        sa.insert(Locality).returning(Locality.id, sort_by_parameter_order=True),
        [{"name": name, "active": True} for name in locality_names],
    ))

    organisations = _organisation_names(rng, size.organisations)
    offered: list[list[tuple]] = [[] for _ in organisations]
    for _ in range(size.services):
        offered[rng.randrange(len(organisations))].append(rng.choice(SERVICES))
    organisation_rows = []
    for index, ((name, code), services) in enumerate(zip(organisations, offered, strict=True)):
        short = _short_name(name)
        # A throw-away object, so that search_text is exactly what the application computes.
        draft = Organisation(name=name, short_name=short)
        draft.services = [Service(name=s[0], target_group=s[1]) for s in services]
        draft.refresh_search_text()
        organisation_rows.append({
            "name": name, "short_name": short, "sector_id": sector_ids[code],
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {rng.choice(TOWNS)}",
            "website": f"https://org{index}.{BENCH_DOMAIN}/",
            "contact_email": f"info@org{index}.{BENCH_DOMAIN}",
            "contact_phone": f"+420 {rng.randint(200, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            "contact_person": "", "active": rng.random() > 0.03,
            "search_text": draft.search_text, "version": 1,
        })
    organisation_ids = list(session.scalars(
        sa.insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
        organisation_rows,
    ))

    service_rows = [
        {"organisation_id": organisation_id, "name": name, "target_group": group,
         "description": description, "how_to_refer": how, "version": 1}
        for organisation_id, services in zip(organisation_ids, offered, strict=True)
        for name, group, description, how in services
    ]
    if service_rows:
        session.execute(sa.insert(Service), service_rows)

    link_rows = []
    for organisation_id in organisation_ids:
        for locality_id in rng.sample(locality_ids, k=min(len(locality_ids), rng.randint(0, 4))):
            link_rows.append({"organisation_id": organisation_id, "locality_id": locality_id})
    if link_rows:
        session.execute(sa.insert(organisation_locality), link_rows)

    # One Argon2 hash shared by everyone: hashing 2,000 passwords would take minutes.
    signed_up = Person(name="", email="")
    auth_services.set_password(signed_up, secrets.token_urlsafe(16))
    bench_account = Person(name="", email="")
    auth_services.set_password(bench_account, password)

    person_rows = [_person_row("Jana Benchmarková", BENCH_EMAIL, "protidrogová koordinátorka",
                               organisation_ids[0], Role.SECRETARY, bench_account.password_hash)]
    for index in range(1, size.people):
        female = rng.random() < 0.6
        first = rng.choice(FEMALE if female else MALE)
        surname = rng.choice(SURNAMES)[1 if female else 0]
        name = f"{first} {surname}"
        email = f"{fold(first)}.{fold(surname)}.{index}@{BENCH_DOMAIN}"
        role = rng.choices([Role.MEMBER, Role.GUEST, Role.FACILITATOR, Role.SECRETARY],
                           [90, 6, 2, 2])[0]
        organisation_id = None if role == Role.GUEST else rng.choice(organisation_ids)
        person_rows.append(_person_row(
            name, email, rng.choice(FUNCTIONS), organisation_id, role,
            signed_up.password_hash if rng.random() < 0.8 else None,
            phone=f"+420 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            active=rng.random() > 0.02,
        ))
    person_ids = list(session.scalars(
        sa.insert(Person).returning(Person.id, sort_by_parameter_order=True), person_rows))
    people = [(person_id, row["organisation_id"], row["role"])
              for person_id, row in zip(person_ids, person_rows, strict=True) if row["active"]]
    seeded = seed_meetings(size, rng, people, organisation_ids, secretary_id=person_ids[0])
    session.commit()
    return seeded


def _person_row(name, email, function, organisation_id, role, password_hash, *, phone="",
                active=True) -> dict:
    draft = Person(name=name, email=email, function=function)
    draft.refresh_search_text()
    return {"name": name, "email": email, "function": function, "phone": phone,
            "organisation_id": organisation_id, "role": role.value, "active": active,
            "locale": "cs", "password_hash": password_hash, "search_text": draft.search_text,
            "version": 1}


# --- meetings ----------------------------------------------------------------------------------

MEETING_TITLES = {
    "plenary": ["Plenární zasedání rady", "Zasedání protidrogové rady"],
    "working_group": ["Pracovní skupina Prevence", "Pracovní skupina Terén a harm reduction",
                      "Pracovní skupina Léčba a doléčování"],
    "round_table": ["Kulatý stůl k otevřené drogové scéně", "Kulatý stůl: bezdomovectví a závislosti"],
    "methodical": ["Metodické setkání metodiků prevence", "Metodické setkání terénních pracovníků"],
}
TYPE_WEIGHTS = {"plenary": 3, "working_group": 4, "round_table": 2, "methodical": 2}
PLACES = ["Radnice, zasedací místnost č. 214", "Krajský úřad, salonek ve 2. patře",
          "Kontaktní centrum, komunitní místnost", "Online (Teams)"]
TOPICS = [
    "Zpráva o činnosti terénního programu", "Výsledky monitoringu odpadních vod",
    "Nález injekčního materiálu v parku u nádraží", "Financování adiktologických služeb na příští rok",
    "Koordinace zimního opatření pro lidi bez domova", "Primární prevence na základních školách",
    "Nové psychoaktivní látky: varování z kraje", "Spolupráce městské policie a terénních pracovníků",
    "Substituční léčba: kapacita a čekací doby", "Testování na HIV a hepatitidy",
    "Strategie protidrogové politiky města 2027–2030", "Dotační řízení: hodnocení žádostí",
    "Otevřená drogová scéna v lokalitě Nádražní čtvrť", "Alkohol a mladiství: kontrolní akce",
    "Hazardní hraní: regulace provozoven", "Dluhové poradenství pro klienty služeb",
    "Výroční zpráva rady", "Sběr dat pro krajskou zprávu o drogové situaci",
    "Konference Prevence v praxi", "Síťování služeb: nový katalog služeb",
    "Bezpečnost v okolí kontaktního centra", "Podpora rodičů dospívajících",
    "Naloxon pro blízké uživatelů opioidů", "Metodika pro školy při nálezu drogy",
    "Zpráva z pracovní skupiny Prevence", "Zpráva z pracovní skupiny Terén",
    "Různé a diskuse", "Plán jednání na příští pololetí",
]
MINUTES_SENTENCES = [
    "Koordinátorka shrnula vývoj od minulého jednání a představila podklady zaslané předem.",
    "Vedoucí terénního programu uvedl, že počet kontaktů vzrostl meziročně o {n} %.",
    "Zástupce městské policie upozornil na nové místo setkávání v lokalitě {place}.",
    "Kontaktní centrum nabízí od příštího měsíce testování na HCV každé úterý odpoledne.",
    "V diskusi zaznělo, že služby potřebují sdílet anonymizovaná data jednotným způsobem.",
    "Členové rady se shodli, že téma je třeba projednat znovu s odborem školství.",
    "Zástupkyně kraje informovala o změně pravidel dotačního řízení pro rok {year}.",
    "Bylo vyměněno {n} tisíc kusů injekčního materiálu, sběr v ulicích zůstává stabilní.",
    "Preventisté zaznamenali větší zájem škol o programy k alkoholu a energetickým nápojům.",
    "Probační služba nabídla spolupráci při práci s mladistvými klienty.",
]
MINUTES_BULLETS = [
    "policie zintenzivní kontroly v nočních hodinách",
    "terénní program rozšíří provozní dobu o sobotu",
    "odbor sociálních věcí připraví přehled volných kapacit",
    "škola {place} se zapojí do pilotního programu",
    "kontaktní centrum zveřejní aktualizovaný leták",
    "data za pololetí budou předána do {day}. {month}.",
]
CONCLUSION_TEXTS = [
    "Rada bere zprávu na vědomí a ukládá koordinátorce zveřejnit ji na webu města.",
    "Rada doporučuje radě města navýšit dotaci terénnímu programu o {n} tisíc Kč.",
    "Rada ukládá pracovní skupině Prevence připravit metodiku pro školy.",
    "Rada schvaluje plán jednání na příští pololetí.",
    "Rada ukládá městské policii a terénnímu programu dohodnout společný postup v lokalitě {place}.",
    "Rada žádá odbor školství o přehled preventivních programů na školách.",
    "Rada souhlasí se zapojením do krajské kampaně k naloxonu.",
]


def _minutes_text(rng: random.Random, year: int) -> str:
    place = rng.choice(DISTRICTS)
    sentences = [s.format(n=rng.randint(3, 40), place=place, year=year)
                 for s in rng.sample(MINUTES_SENTENCES, k=rng.randint(2, 4))]
    paragraphs = [" ".join(sentences[:2]), " ".join(sentences[2:])]
    bullets = [b.format(place=place, day=rng.randint(1, 28), month=rng.randint(1, 12))
               for b in rng.sample(MINUTES_BULLETS, k=rng.randint(2, 3))]
    return "\n\n".join(p for p in paragraphs if p) + "\n\n" + "\n".join(f"- {b}" for b in bullets)


def _local(day: date, hour: int) -> datetime:
    return local_to_utc(datetime(day.year, day.month, day.day, hour, 0))


def seed_meetings(size: Size, rng: random.Random, people: list[tuple[int, int | None, str]],
                  organisation_ids: list[int], *, secretary_id: int) -> Seeded:
    """``size.meetings`` meetings over the past four years and the next half year: agendas,
    invitations and attendance, and for most past meetings approved minutes with reviews,
    conclusions (some of them numbered decisions) and who is responsible for them.

    The first three are as large as any (most items and invitees). The first has approved
    minutes, amendments and attachments: the benchmark's meeting page and PDF. The second is
    held today with its attendance list open: the attendance toggle. The third is in two weeks,
    invitations sent: the meeting page before there are minutes."""
    session = db.session
    type_ids = dict(session.execute(sa.select(MeetingType.code, MeetingType.id)).all())
    codes = [code for code in TYPE_WEIGHTS if code in type_ids]
    invitable = [p for p in people if p[2] != Role.GUEST.value or rng.random() < 0.3]
    today = utc_to_local(utcnow()).date()
    first_day = today - timedelta(days=4 * 365)
    span = (today + timedelta(days=180) - first_day).days

    plans = []  # (day, code, status, items, invitees)
    biggest = (size.items[1], min(size.invitees[1], len(invitable)))
    plans.append((today - timedelta(days=60), "plenary", MeetingStatus.MINUTES_APPROVED, *biggest))
    plans.append((today, "plenary", MeetingStatus.HELD, *biggest))
    plans.append((today + timedelta(days=14), "plenary", MeetingStatus.INVITED, *biggest))
    for _ in range(size.meetings - len(plans)):
        day = first_day + timedelta(days=rng.randrange(span))
        age = (today - day).days
        if age < 0:
            status = rng.choice([MeetingStatus.PLANNED, MeetingStatus.INVITED])
        elif rng.random() < 0.04:
            status = MeetingStatus.CANCELLED
        elif age < 30:
            status = rng.choice([MeetingStatus.HELD, MeetingStatus.MINUTES_IN_REVIEW])
        else:
            status = MeetingStatus.MINUTES_APPROVED if rng.random() < 0.9 else MeetingStatus.HELD
        plans.append((day, rng.choices(codes, [TYPE_WEIGHTS[c] for c in codes])[0], status,
                      rng.randint(*size.items), rng.randint(*size.invitees)))

    meeting_rows, chosen_invitees = [], []
    for day, code, status, _items, invitee_count in plans:
        invitees = rng.sample(invitable, k=min(invitee_count, len(invitable)))
        chosen_invitees.append(invitees)
        starts = _local(day, rng.choice([9, 10, 13, 14]))
        chair, recorder, facilitator = (invitees + invitees[:3])[:3]
        meeting_rows.append({
            "title": rng.choice(MEETING_TITLES[code]), "type_id": type_ids[code], "starts_at": starts,
            "ends_at": starts + timedelta(hours=rng.choice([2, 3])), "place": rng.choice(PLACES),
            "description": "Podklady jsou v přílohách. Prosíme o **potvrzení účasti**.",
            "chair_id": chair[0], "recorder_id": recorder[0], "facilitator_id": facilitator[0],
            "status": status.value,
            "status_before_cancel": MeetingStatus.INVITED.value if status == MeetingStatus.CANCELLED else None,
            "series_id": None, "agenda_published_at": starts - timedelta(days=10),
            "created_at": starts - timedelta(days=30), "version": 1,
        })
    meeting_ids = list(session.scalars(
        sa.insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True), meeting_rows))

    has_minutes = {MeetingStatus.MINUTES_IN_REVIEW, MeetingStatus.MINUTES_APPROVED}
    item_rows, item_plan = [], []  # item_plan: (meeting index, with minutes)
    invitation_rows = []
    for index, ((day, _code, status, item_count, _n), invitees, row) in enumerate(
            zip(plans, chosen_invitees, meeting_rows, strict=True)):
        meeting_id, minutes_written = meeting_ids[index], status in has_minutes
        for position in range(1, item_count + 1):
            presenter = rng.choice(invitees)
            item_rows.append({
                "meeting_id": meeting_id, "position": position, "title": rng.choice(TOPICS),
                "description": "Podklad: zpráva předkladatele." if rng.random() < 0.5 else "",
                "presenter_id": presenter[0] if rng.random() < 0.8 else None,
                "presenter_name": "", "planned_minutes": rng.choice([5, 10, 15, 20]), "standing": None,
                "updated_at": row["agenda_published_at"] - timedelta(days=1), "version": 1,
                "minutes_text": _minutes_text(rng, day.year) if minutes_written else "",
            })
            item_plan.append((index, minutes_written))
        held = status in has_minutes or status == MeetingStatus.HELD
        for person_id, organisation_id, _role in invitees:
            attending = rng.random() < 0.8
            invitation_rows.append({
                "meeting_id": meeting_id, "person_id": person_id, "walk_in_name": "",
                "walk_in_organisation": "", "organisation_id": organisation_id,
                "response": (InvitationResponse.ATTENDING if attending else InvitationResponse.EXCUSED).value
                if status != MeetingStatus.PLANNED else InvitationResponse.PENDING.value,
                "responded_at": row["starts_at"] - timedelta(days=3), "invited_at": row["created_at"],
                "attendance": ((Attendance.PRESENT if attending else Attendance.EXCUSED).value
                               if held and index != 1 else Attendance.UNKNOWN.value),
            })
    item_ids = list(session.scalars(
        sa.insert(AgendaItem).returning(AgendaItem.id, sort_by_parameter_order=True), item_rows))
    session.execute(sa.insert(Invitation), invitation_rows)

    # Conclusions of the items of written minutes; decisions numbered per year in meeting order.
    conclusion_rows, conclusion_meeting = [], []
    for item_id, (index, minutes_written) in zip(item_ids, item_plan, strict=True):
        if not minutes_written:
            continue
        for position in range(rng.choice([0, 1, 1, 2])):
            is_decision = rng.random() < 0.35
            conclusion_rows.append({
                "agenda_item_id": item_id, "position": position,
                "text": rng.choice(CONCLUSION_TEXTS).format(n=rng.randint(50, 400), place=rng.choice(DISTRICTS)),
                "due_date": plans[index][0] + timedelta(days=rng.choice([30, 60, 90])) if rng.random() < 0.7 else None,
                "due_kind": DueKind.FROM.value if rng.random() < 0.1 else DueKind.BY.value,
                "is_decision": is_decision, "decision_year": None, "decision_number": None,
                "votes_for": rng.randint(8, 15) if is_decision else None,
                "votes_against": rng.randint(0, 2) if is_decision else None,
                "votes_abstained": rng.randint(0, 3) if is_decision else None, "version": 1,
            })
            conclusion_meeting.append(index)
    highest: dict[int, int] = {}
    for row, index in sorted(zip(conclusion_rows, conclusion_meeting, strict=True),
                             key=lambda pair: meeting_rows[pair[1]]["starts_at"]):
        if row["is_decision"] and plans[index][2] == MeetingStatus.MINUTES_APPROVED:
            year = plans[index][0].year
            highest[year] = highest.get(year, 0) + 1
            row["decision_year"], row["decision_number"] = year, highest[year]
    conclusion_ids = list(session.scalars(
        sa.insert(Conclusion).returning(Conclusion.id, sort_by_parameter_order=True), conclusion_rows))
    people_links, organisation_links = [], []
    for conclusion_id, index in zip(conclusion_ids, conclusion_meeting, strict=True):
        responsible = rng.sample(chosen_invitees[index], k=min(len(chosen_invitees[index]), rng.randint(0, 2)))
        people_links += [{"conclusion_id": conclusion_id, "person_id": p[0]} for p in responsible]
        if rng.random() < 0.5:
            organisation_links.append({"conclusion_id": conclusion_id,
                                       "organisation_id": rng.choice(organisation_ids)})
    if people_links:
        session.execute(sa.insert(conclusion_person), people_links)
    if organisation_links:
        session.execute(sa.insert(conclusion_organisation), organisation_links)

    # Minutes with their reviews; amendments and attachments on the largest meeting.
    minutes_rows, minutes_plan = [], []
    for index, (day, _code, status, _items, _n) in enumerate(plans):
        if status not in has_minutes:
            continue
        approved = status == MeetingStatus.MINUTES_APPROVED
        recorded_at = meeting_rows[index]["ends_at"] + timedelta(days=2)
        minutes_rows.append({
            "meeting_id": meeting_ids[index], "general_notes": "Různé: členové rady nevznesli další body.",
            "next_meeting_note": "v zasedací místnosti radnice", "next_meeting_date": day + timedelta(days=91),
            "status": (MinutesStatus.APPROVED if approved else MinutesStatus.IN_REVIEW).value,
            "recorded_by_id": meeting_rows[index]["recorder_id"], "recorded_at": recorded_at,
            "approved_by_id": secretary_id if approved else None,
            "approved_at": recorded_at + timedelta(days=7) if approved else None, "version": 1,
        })
        minutes_plan.append(index)
    minutes_ids = list(session.scalars(
        sa.insert(Minutes).returning(Minutes.id, sort_by_parameter_order=True), minutes_rows))
    review_rows = []
    for minutes_id, index, row in zip(minutes_ids, minutes_plan, minutes_rows, strict=True):
        approved = row["status"] == MinutesStatus.APPROVED.value
        pool = chosen_invitees[index][3:] or chosen_invitees[index]  # not the chair or recorder
        for reviewer in rng.sample(pool, k=min(2, len(pool))):
            review_rows.append({
                "minutes_id": minutes_id, "reviewer_id": reviewer[0], "round": 1,
                "state": (ReviewState.APPROVED if approved else ReviewState.PENDING).value, "comment": "",
                "requested_at": row["recorded_at"], "decided_at": row["recorded_at"] + timedelta(days=3) if approved else None,
            })
    session.execute(sa.insert(MinutesReview), review_rows)

    largest = meeting_ids[0]
    largest_items = [(item_id, row["minutes_text"]) for item_id, row, (index, _w)
                     in zip(item_ids, item_rows, item_plan, strict=True) if index == 0]
    session.execute(sa.insert(MinutesAmendment), [
        {"minutes_id": minutes_ids[0], "agenda_item_id": item_id, "original_text": original,
         "amended_text": "Opraveno: počet kontaktů vzrostl o 21 %, ne o 12 %.", "reason": "Překlep v čísle",
         "author_id": secretary_id, "created_at": minutes_rows[0]["approved_at"] + timedelta(days=20)}
        for item_id, original in largest_items[2:4]
    ])
    session.execute(sa.insert(Attachment), [
        {"meeting_id": largest, "agenda_item_id": item_id, "filename": f"podklad-{number}.pdf",
         "stored_name": secrets.token_hex(16), "content_type": "application/pdf", "size": 180_000 + number,
         "uploaded_by_id": secretary_id, "uploaded_at": meeting_rows[0]["created_at"], "deleted_at": None}
        for number, item_id in enumerate([None, *(item_id for item_id, _text in largest_items[:2])])
    ])

    attendance_meeting = meeting_ids[1]
    return Seeded(
        meeting_id=largest, upcoming_meeting_id=meeting_ids[2], attendance_meeting_id=attendance_meeting,
        invitation_ids=list(session.scalars(sa.select(Invitation.id)
                                            .where(Invitation.meeting_id == attendance_meeting)
                                            .order_by(Invitation.id))),
        meetings=len(meeting_ids), agenda_items=len(item_ids), invitations=len(invitation_rows),
        conclusions=len(conclusion_ids),
    )
