"""A large, fictional, Czech-sounding directory for the load benchmark, inserted in bulk.

Rows go in with the ORM's bulk INSERT (``session.execute(insert(Model), rows)``): no unit of
work, no audit entries, a few statements per table. ``search_text`` is still computed by the
models' own ``refresh_search_text`` on throw-away objects, so the search sees exactly what it
would see had the rows been saved through the application.
"""
import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from council.auth import services as auth_services
from council.auth.models import Person
from council.auth.roles import Role
from council.core.text import fold
from council.directory.models import Locality, Organisation, Sector, Service, organisation_locality
from council.extensions import db

BENCH_DOMAIN = "bench.example"
BENCH_EMAIL = f"secretary@{BENCH_DOMAIN}"


@dataclass(frozen=True)
class Size:
    people: int = 2000
    organisations: int = 300
    services: int = 1000
    localities: int = 40

    def scaled(self, factor: float) -> "Size":
        return Size(*(max(1, round(n * factor)) for n in
                      (self.people, self.organisations, self.services, self.localities)))


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


def seed(size: Size = Size(), *, password: str, random_seed: int = 2026) -> None:
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
    session.execute(sa.insert(Person), person_rows)
    session.commit()


def _person_row(name, email, function, organisation_id, role, password_hash, *, phone="",
                active=True) -> dict:
    draft = Person(name=name, email=email, function=function)
    draft.refresh_search_text()
    return {"name": name, "email": email, "function": function, "phone": phone,
            "organisation_id": organisation_id, "role": role.value, "active": active,
            "locale": "cs", "password_hash": password_hash, "search_text": draft.search_text,
            "version": 1}
