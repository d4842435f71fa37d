"""A clearly fictional demo council, in Czech, for trying Council out (never in production)."""
import sqlalchemy as sa

from council.auth import services as auth_services
from council.auth.models import Person
from council.auth.roles import Role
from council.directory.models import Locality, Organisation, Sector, Service
from council.extensions import db

DEMO_PASSWORD = "demo-heslo-2026"
DEMO_DOMAIN = "demo.example"

LOCALITIES = ["Centrum", "Nádražní čtvrť", "Sídliště Jih", "Horní Lhota", "Dolní Lhota",
              "Průmyslová zóna", "Zahradní město", "Podlesí"]

# (name, short name, sector code, address, localities, services)
ORGANISATIONS = [
    ("Statutární město Vymyšlenov – odbor sociálních věcí", "MMV", "municipality",
     "Radniční náměstí 1, Vymyšlenov", ["Centrum", "Nádražní čtvrť", "Sídliště Jih"],
     [("Protidrogový koordinátor", "organizace a veřejnost", "Koordinace protidrogové politiky města.",
       "Napište protidrogovému koordinátorovi.")]),
    ("Kraj Smyšlený – krajský úřad", "KÚ", "regional_authority", "Krajská 12, Vymyšlenov", [], []),
    ("Policie ČR – obvodní oddělení Vymyšlenov (fiktivní)", "PČR", "police",
     "Strážní 5, Vymyšlenov", ["Centrum", "Nádražní čtvrť"],
     [("Preventivně informační skupina", "školy, senioři", "Besedy a přednášky o prevenci kriminality.",
       "Objednávka besedy e-mailem.")]),
    ("Městská policie Vymyšlenov", "MP", "police", "Strážní 7, Vymyšlenov",
     ["Centrum", "Sídliště Jih", "Průmyslová zóna"],
     [("Sběr nalezených injekčních stříkaček", "veřejnost",
       "Bezpečný sběr a likvidace nalezeného injekčního materiálu.", "Volejte linku 156.")]),
    ("Nemocnice Vymyšlenov – psychiatrické oddělení", "NV", "health_care", "Nemocniční 20, Vymyšlenov", [],
     [("Detoxifikace", "dospělí uživatelé drog a alkoholu", "Lůžková detoxifikace 7–10 dní.",
       "Doporučení praktického lékaře, objednání telefonicky.")]),
    ("Kontaktní centrum Most (fiktivní)", "KC Most", "addiction_services", "Mostní 3, Vymyšlenov",
     ["Centrum", "Nádražní čtvrť", "Sídliště Jih"],
     [("Výměnný program", "lidé, kteří užívají drogy injekčně",
       "Anonymní výměna injekčního materiálu, testy na HIV a hepatitidy.",
       "Klient může přijít bez objednání; stačí předat kontakt."),
      ("Terénní program", "lidé užívající drogy na ulici", "Streetwork v lokalitách města.",
       "Zavolejte terénním pracovníkům.")]),
    ("Adiktologická poradna Cesta (fiktivní)", "Cesta", "addiction_services", "Polní 8, Vymyšlenov",
     ["Horní Lhota", "Dolní Lhota"],
     [("Ambulantní poradenství", "lidé se závislostí a jejich blízcí",
       "Individuální a rodinné konzultace.", "Objednání telefonicky nebo e-mailem."),
      ("Poradenství pro rodiče", "rodiče dospívajících", "Skupiny a konzultace pro rodiče.",
       "Stačí napsat e-mail.")]),
    ("Azylový dům Přístav (fiktivní)", "Přístav", "social_services", "Přístavní 2, Vymyšlenov",
     ["Průmyslová zóna"],
     [("Noclehárna", "lidé bez domova", "Přenocování v zimních měsících.", "Příchod 18–20 h.")]),
    ("Pedagogicko-psychologická poradna Vymyšlenov", "PPP", "school_prevention",
     "Školní 14, Vymyšlenov", ["Zahradní město", "Podlesí"],
     [("Metodik prevence", "školy", "Podpora školních metodiků prevence.", "Kontaktujte metodika.")]),
    ("Probační a mediační služba – středisko Vymyšlenov (fiktivní)", "PMS", "probation",
     "Soudní 4, Vymyšlenov", [],
     [("Probační dohled", "klienti s uloženým dohledem", "Práce s klienty v dohledu.", "Na základě rozhodnutí soudu.")]),
    ("Krajská hygienická stanice (fiktivní)", "KHS", "public_health", "Zdravá 9, Vymyšlenov", [], []),
    ("Spolek Rodiče proti drogám (fiktivní)", "RPD", "other", "Lipová 1, Vymyšlenov", ["Podlesí"], []),
]

# (name, email user, organisation short name, function, role)
PEOPLE = [
    ("Správce Systému", "admin", None, "technická správa", Role.ADMIN),
    ("Jana Sekretářová", "sekretarka", "MMV", "protidrogová koordinátorka", Role.SECRETARY),
    ("Filip Facilitátor", "facilitator", "Cesta", "vedoucí poradny", Role.FACILITATOR),
    ("Marie Členová", "clen", "KC Most", "vedoucí kontaktního centra", Role.MEMBER),
    ("Host Hostovský", "host", None, "student, host jednání", Role.GUEST),
    ("Petr Novotný", "p.novotny", "MMV", "vedoucí odboru", Role.MEMBER),
    ("Lucie Dvořáková", "l.dvorakova", "KÚ", "krajská koordinátorka", Role.MEMBER),
    ("Tomáš Černý", "t.cerny", "PČR", "preventista", Role.MEMBER),
    ("Eva Procházková", "e.prochazkova", "MP", "strážnice", Role.MEMBER),
    ("Martin Kučera", "m.kucera", "NV", "primář", Role.MEMBER),
    ("Alena Veselá", "a.vesela", "KC Most", "terénní pracovnice", Role.MEMBER),
    ("Jiří Horák", "j.horak", "KC Most", "terénní pracovník", Role.MEMBER),
    ("Kateřina Němcová", "k.nemcova", "Cesta", "adiktoložka", Role.MEMBER),
    ("Pavel Marek", "p.marek", "Přístav", "sociální pracovník", Role.MEMBER),
    ("Zuzana Pokorná", "z.pokorna", "PPP", "metodička prevence", Role.MEMBER),
    ("Ondřej Pospíšil", "o.pospisil", "PMS", "probační úředník", Role.MEMBER),
    ("Hana Králová", "h.kralova", "KHS", "epidemioložka", Role.MEMBER),
    ("Roman Jelínek", "r.jelinek", "RPD", "předseda spolku", Role.MEMBER),
    ("Veronika Růžičková", "v.ruzickova", "MMV", "sociální pracovnice", Role.MEMBER),
    ("David Beneš", "d.benes", "MP", "velitel okrsku", Role.MEMBER),
]

LOGINS = [("admin", Role.ADMIN), ("sekretarka", Role.SECRETARY), ("facilitator", Role.FACILITATOR),
          ("clen", Role.MEMBER), ("host", Role.GUEST)]


def load() -> None:
    sectors = {s.code: s for s in db.session.scalars(sa.select(Sector))}
    localities = {}
    for name in LOCALITIES:
        locality = db.session.scalar(sa.select(Locality).where(Locality.name == name))
        if locality is None:
            locality = Locality(name=name)
            db.session.add(locality)
        localities[name] = locality
    organisations = {}
    for name, short, sector, address, where, offered in ORGANISATIONS:
        organisation = Organisation(
            name=name, short_name=short, sector=sectors[sector], address=address,
            contact_email=f"info@{short.lower().replace(' ', '')}.{DEMO_DOMAIN}",
            localities=[localities[n] for n in where],
        )
        for service_name, group, description, how in offered:
            organisation.services.append(Service(name=service_name, target_group=group,
                                                 description=description, how_to_refer=how))
        organisation.refresh_search_text()
        db.session.add(organisation)
        organisations[short] = organisation
    for index, (name, user, short, function, role) in enumerate(PEOPLE):
        person = Person(
            name=name, email=f"{user}@{DEMO_DOMAIN}", function=function, role=role.value,
            organisation=organisations.get(short) if short else None,
            phone=f"+420 600 000 {index:03d}", locale="cs",
        )
        auth_services.set_password(person, DEMO_PASSWORD)
        person.refresh_search_text()
        db.session.add(person)
    db.session.commit()
    _load_meetings()


def _load_meetings() -> None:
    """A round table held two months ago and the next one in three weeks, everyone invited."""
    from datetime import datetime, timedelta

    from council.core.timezones import local_to_utc
    from council.meetings import agenda, services
    from council.meetings.models import Invitation, MeetingType

    people = list(db.session.scalars(sa.select(Person).where(Person.role != "admin")))
    by_email = {person.email.split("@")[0]: person for person in people}
    round_table = db.session.scalar(sa.select(MeetingType).where(MeetingType.code == "round_table"))
    today = datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    for title, start in (("Kulatý stůl ke sdílenému terénu", today - timedelta(days=60)),
                         ("Kulatý stůl ke sdílenému terénu – podzim", today + timedelta(days=21))):
        meeting = services.save_meeting(None, {
            "title": title, "type_id": round_table.id, "starts_at": local_to_utc(start),
            "ends_at": local_to_utc(start + timedelta(hours=3)), "place": "Radnice, zasedací místnost 204",
            "chair_id": by_email["sekretarka"].id, "recorder_id": by_email["clen"].id,
            "facilitator_id": by_email["facilitator"].id,
        })
        agenda.add_standing_items(meeting)
        for item_title, minutes in (("Situace v lokalitách a nalezené injekční sety", 30),
                                    ("Noví klienti terénních programů (bez osobních údajů)", 20),
                                    ("Spolupráce s městskou policií", 20), ("Různé", 10)):
            agenda.add_item(meeting, {"title": item_title, "planned_minutes": minutes})
        for person in people:
            db.session.add(Invitation(meeting=meeting, person_id=person.id, organisation_id=person.organisation_id,
                                      attendance="present" if start < today and person.role != "guest" else "unknown"))
        if start < today:
            services.mark_held(meeting)
        else:
            services.mark_invitations_sent(meeting)
        db.session.commit()


def logins_text() -> str:
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role.value:<12} {user}@{DEMO_DOMAIN}" for user, role in LOGINS]
    return "\n".join(lines)
