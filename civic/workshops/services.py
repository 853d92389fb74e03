"""Workshops: the workshop itself, its quotas, the call for volunteers, the fair selection run
as a job, its publication, the invitations and the replacements from the reserve."""

import hashlib
import hmac
import unicodedata
from base64 import urlsafe_b64encode
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from civic.accounts.models import AGE_BRACKETS, GENDERS, PCS_GROUPS, Role
from civic.consultations.text import slugify
from civic.core import formatting, jobs, uploads
from civic.core.formatting import collate
from civic.core.models import audit, utcnow
from civic.core.notify import notify, send_email
from civic.extensions import db
from civic.territory import queries as territory_queries
from civic.territory.models import Commune
from civic.workshops import selection as engine
from civic.workshops.models import (
    CATEGORY_LABELS,
    Ballot,
    BallotEntry,
    Category,
    Note,
    Participant,
    Quota,
    SeatRole,
    Selection,
    Theme,
    Volunteer,
    VolunteerStatus,
    Workshop,
)

# Volunteers whom the workshop expects: invited (no answer yet) or confirmed.
EXPECTED = (VolunteerStatus.SELECTED.value, VolunteerStatus.CONFIRMED.value)

# Past this many seconds the job keeps the fairest lottery found so far (and says so).
SELECTION_TIME_LIMIT = 600


class WorkshopError(Exception):
    """A refusal to show to the user, already translated."""


# --- the workshop ---------------------------------------------------------------------------


def unique_slug(title: str, wanted: str = "", exclude_id: int | None = None) -> str:
    base = slugify(wanted or title)
    slug, n = base, 1
    while True:
        query = sa.select(Workshop.id).where(Workshop.slug == slug)
        if exclude_id:
            query = query.where(Workshop.id != exclude_id)
        if db.session.scalar(query) is None:
            return slug
        n += 1
        slug = f"{base}-{n}"


WORKSHOP_FIELDS = (
    "title",
    "purpose",
    "consultation_id",
    "starts_at",
    "duration_minutes",
    "mode",
    "commune_id",
    "address",
    "accessibility",
    "online_url",
    "capacity",
    "tables",
    "seats_elected",
    "seats_technician",
    "seats_citizen",
    "call_closes_at",
    "one_per_household",
)


def save_workshop(actor, workshop: Workshop | None, *, slug: str = "", **fields) -> Workshop:
    total = fields["seats_elected"] + fields["seats_technician"] + fields["seats_citizen"]
    if total > fields["capacity"]:
        raise WorkshopError(
            _l(
                "La table compte %(seats)s places, plus que la capacité du lieu (%(capacity)s).",
                seats=total,
                capacity=fields["capacity"],
            )
        )
    if fields["call_closes_at"] is not None and fields["call_closes_at"] >= fields["starts_at"]:
        raise WorkshopError(_l("L'appel à volontaires doit se clore avant l'atelier."))
    if workshop is not None and workshop.current_selection is not None:
        if fields["seats_citizen"] != workshop.seats_citizen:
            raise WorkshopError(
                _l("Le tirage est publié : le nombre de places citoyennes ne peut plus changer.")
            )
    slug = unique_slug(fields["title"], slug, workshop.id if workshop else None)
    before = None
    if workshop is None:
        workshop = Workshop(created_by_id=actor.id)
        db.session.add(workshop)
    else:
        before = meeting(workshop)
    workshop.slug = slug
    for name in WORKSHOP_FIELDS:
        value = fields[name]
        setattr(workshop, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    audit(actor, "workshop.saved", "workshop", workshop.id)
    if before is not None and before != meeting(workshop):
        _tell_change(actor, workshop)
    return workshop


class CoverError(WorkshopError):
    """A refused cover, with the form field it concerns."""

    def __init__(self, message, field: str = "cover"):
        super().__init__(message)
        self.field = field


def update_cover(
    actor, workshop: Workshop, *, data: bytes | None, alt: str, remove: bool = False
) -> str | None:
    """Sets, replaces, describes or removes the workshop's cover image, with the checks of
    every cover (core.uploads); an image always has its text alternative. Returns the file
    no longer used, for the caller to remove once the change is committed."""
    alt = (alt or "").strip()
    if remove and not data:
        old = workshop.cover_filename
        if old:
            workshop.cover_filename = None
            workshop.cover_alt = ""
            audit(actor, "workshop.cover_removed", "workshop", workshop.id)
        return old
    if data:
        try:
            image = uploads.check_image(data)
        except uploads.UploadError as error:
            raise CoverError(str(error)) from error
    if (data or workshop.cover_filename) and not alt:
        raise CoverError(
            _l("Décrivez l'image en quelques mots (texte alternatif)."), field="cover_alt"
        )
    old = None
    if data:
        old = workshop.cover_filename
        workshop.cover_filename = uploads.store(data, image)
        audit(actor, "workshop.cover_set", "workshop", workshop.id)
    if workshop.cover_filename:
        workshop.cover_alt = alt
    return old


def meeting(workshop: Workshop) -> dict:
    """What those expected at the workshop must hear about when it changes."""
    return {
        name: getattr(workshop, name)
        for name in ("starts_at", "duration_minutes", "address", "online_url")
    }


def expected_without_email(workshop: Workshop) -> int:
    """Invited or confirmed volunteers whom only a call or a letter reaches."""
    return db.session.scalar(
        sa.select(sa.func.count(Volunteer.id)).where(
            Volunteer.workshop_id == workshop.id,
            Volunteer.status.in_(EXPECTED),
            sa.func.coalesce(Volunteer.email, "") == "",
            Volunteer.user_id.is_(None),
        )
    )


def _tell_change(actor, workshop: Workshop) -> None:
    """The date or the place changed: tell everyone invited or seated, each once, except
    the person who made the change."""
    people = db.session.scalars(
        sa.select(Volunteer)
        .where(Volunteer.workshop_id == workshop.id, Volunteer.status.in_(EXPECTED))
        .order_by(Volunteer.id)
    ).all()
    told_users = {v.user_id for v in people if v.user_id is not None}
    seated = [
        p.user
        for p in db.session.scalars(
            sa.select(Participant)
            .where(Participant.workshop_id == workshop.id, Participant.user_id.is_not(None))
            .order_by(Participant.id)
        )
        if p.user_id not in told_users and p.user.deleted_at is None
    ]
    link = url_for("workshops.show", slug=workshop.slug, _external=True)
    for recipient in [_recipient(v) for v in people] + seated:
        if recipient.id is not None and recipient.id == actor.id:
            continue
        send_email(
            recipient,
            _l("Atelier « %(title)s » : la date ou le lieu change", title=workshop.title),
            "workshop_changed",
            workshop=workshop,
            url=link,
        )
        if recipient.id is not None:
            notify(
                recipient,
                _l(
                    "Atelier « %(title)s » : nouvelle date ou nouveau lieu, voyez le détail.",
                    title=workshop.title,
                ),
                url_for("workshops.show", slug=workshop.slug),
            )


def publish(actor, workshop: Workshop, published: bool = True) -> None:
    first_time = published and workshop.published_at is None
    workshop.published_at = utcnow() if published else None
    if first_time and workshop.commune_id is not None:
        from civic.territory.services import tell_followers

        tell_followers(
            [workshop.commune_id],
            lambda commune: _l(
                "Nouvel atelier à %(commune)s : « %(title)s ».",
                commune=commune.name,
                title=workshop.title,
            ),
            url_for("workshops.show", slug=workshop.slug),
        )
    audit(
        actor,
        "workshop.published" if published else "workshop.unpublished",
        "workshop",
        workshop.id,
    )


# --- quotas ---------------------------------------------------------------------------------


def territory(workshop: Workshop) -> list[Commune]:
    """The communes concerned: the consultation's when it names some, otherwise all."""
    consultation = workshop.consultation
    if consultation is not None and not consultation.all_communes and consultation.communes:
        return collate(consultation.communes, "name")
    return territory_queries.communes()


def _bounds(expected: float) -> tuple[int, int]:
    """A tolerance of one seat either side of the fair share."""
    share = round(expected)
    return max(0, share - 1), share + 1


def default_quotas(workshop: Workshop) -> list[Quota]:
    """Quotas proposed from the population of the communes: territory groups of about equal
    population, gender balance, every age bracket present, half of the seats for first-timers.
    The facilitator changes them as needed."""
    seats = workshop.seats_citizen
    communes = sorted(territory(workshop), key=lambda c: (-c.population, c.name))
    n_groups = max(1, min(len(communes), 4, seats // 3))
    groups: list[list[Commune]] = [[] for _ in range(n_groups)]
    totals = [0] * n_groups
    for commune in communes:  # largest first, each into the least populated group
        i = totals.index(min(totals))
        groups[i].append(commune)
        totals[i] += commune.population
    population = sum(totals) or 1
    quotas: list[Quota] = []
    groups.sort(key=lambda g: -sum(c.population for c in g))
    for n, group in enumerate(groups, start=1):
        share = sum(c.population for c in group)
        low, high = _bounds(seats * share / population)
        largest = max(group, key=lambda c: c.population).name
        # "Secteur d'Escalquens": the catalogue's gettext elides before the name.
        label = (
            largest
            if len(group) == 1
            else formatting.gettext("Secteur de %(name)s", name=largest)
        )
        quotas.append(
            Quota(
                category=Category.AREA.value,
                value=f"secteur-{n}",
                label=label,
                communes=sorted(c.insee for c in group),
                min=low,
                max=min(high, seats),
                position=n,
            )
        )
    half_low, half_high = _bounds(seats / 2)
    for n, gender in enumerate(("female", "male")):
        quotas.append(
            Quota(category="gender", value=gender, min=half_low, max=half_high, position=n)
        )
    quotas.append(Quota(category="gender", value="other", min=0, max=seats, position=2))
    for n, bracket in enumerate(AGE_BRACKETS):
        quotas.append(
            Quota(category="age", value=bracket, min=1 if seats >= 10 else 0, max=seats, position=n)
        )
    quotas.append(Quota(category="first_time", value="yes", min=seats // 2, max=seats, position=0))
    quotas.append(
        Quota(category="first_time", value="no", min=0, max=seats - seats // 2, position=1)
    )
    return quotas


def category_values(category: str) -> dict:
    """The values a category can take, with their labels."""
    return {
        Category.AGE: AGE_BRACKETS,
        Category.GENDER: GENDERS,
        Category.PCS: PCS_GROUPS,
        Category.FIRST_TIME: {"yes": _l("Oui"), "no": _l("Non")},
    }.get(category, {})


def set_quotas(actor, workshop: Workshop, quotas: list[Quota]) -> None:
    """Replace the quotas (checked against each other; feasibility is checked separately)."""
    if workshop.current_selection is not None:
        raise WorkshopError(_l("Le tirage est publié : les quotas ne peuvent plus changer."))
    seats = workshop.seats_citizen
    seen_communes: set[str] = set()
    for quota in quotas:
        if quota.min > quota.max:
            raise WorkshopError(
                _l("Quota « %(label)s » : le minimum dépasse le maximum.", label=quota_label(quota))
            )
        if quota.min > seats:
            raise WorkshopError(
                _l(
                    "Quota « %(label)s » : le minimum dépasse les %(seats)s places citoyennes.",
                    label=quota_label(quota),
                    seats=seats,
                )
            )
        if quota.category == Category.AREA:
            twice = seen_communes & set(quota.communes)
            if twice:
                raise WorkshopError(
                    _l(
                        "Une commune ne peut appartenir qu'à un seul secteur (%(insee)s).",
                        insee=", ".join(sorted(twice)),
                    )
                )
            seen_communes |= set(quota.communes)
    workshop.quotas = quotas
    db.session.flush()
    audit(actor, "workshop.quotas", "workshop", workshop.id, count=len(quotas))


def quota_label(quota) -> str:
    category = CATEGORY_LABELS.get(quota.category, quota.category)
    if quota.category == Category.AREA:
        value = quota.label or quota.value
        if formatting.current_language() == "fr":
            value = formatting.elide(value)  # labels stored before elision: "Secteur de Escalquens"
    else:
        value = category_values(quota.category).get(quota.value, quota.value)
    return formatting.gettext("%(category)s : %(value)s", category=str(category), value=str(value))


# --- volunteers ----------------------------------------------------------------------------


def household_key(address: str) -> str:
    """A keyed digest of a postal address: equal for the same household, useless to others."""
    text = unicodedata.normalize("NFKD", address.casefold())
    text = "".join(ch for ch in text if ch.isalnum())
    if not text:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"household:" + text.encode(), hashlib.sha256).hexdigest()


DECLARED = ("commune_id", "age_bracket", "gender", "pcs", "first_time")


def required_characteristics(workshop: Workshop) -> set[str]:
    """The characteristics a volunteer must declare: those the quotas bound, and the commune."""
    used = {q.category for q in workshop.quotas}
    needed = {"commune_id"}
    for category, name in (
        (Category.AGE, "age_bracket"),
        (Category.GENDER, "gender"),
        (Category.PCS, "pcs"),
    ):
        if category in used:
            needed.add(name)
    return needed


def _check_declared(workshop: Workshop, declared: dict) -> None:
    missing = [name for name in required_characteristics(workshop) if not declared.get(name)]
    if missing:
        raise WorkshopError(_l("Répondez à chaque question : le tirage au sort en a besoin."))


def volunteer_of(user, workshop: Workshop) -> Volunteer | None:
    """The user's own entry in the workshop's pool, if any."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Volunteer).where(
            Volunteer.workshop_id == workshop.id, Volunteer.user_id == user.id
        )
    )


def volunteer(user, workshop: Workshop, *, address: str = "", **declared) -> Volunteer:
    if not workshop.call_is_open():
        raise WorkshopError(_l("L'appel à volontaires de cet atelier est clos."))
    _check_declared(workshop, declared)
    existing = volunteer_of(user, workshop)
    item = existing or Volunteer(workshop_id=workshop.id, user_id=user.id, channel="online")
    _fill(item, address, declared)
    if existing is None:
        db.session.add(item)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # the same person, twice at once
            raise WorkshopError(_l("Vous êtes déjà inscrit comme volontaire.")) from None
    return item


def _fill(item: Volunteer, address: str, declared: dict) -> None:
    for name in ("commune_id", "age_bracket", "gender", "pcs", "availability", "needs"):
        value = declared.get(name)
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    item.first_time = bool(declared.get("first_time"))
    if address.strip():
        item.household_key = household_key(address)


def enter_volunteer(
    agent,
    workshop: Workshop,
    *,
    name: str,
    email: str,
    phone: str,
    address: str,
    channel: str,
    **declared,
) -> Volunteer:
    """A volunteer recruited by phone, at a counter or from an invitation letter."""
    if workshop.current_selection is not None:
        raise WorkshopError(_l("Le tirage est publié : la liste des volontaires est close."))
    _check_declared(workshop, declared)
    if not (email.strip() or phone.strip() or address.strip()):
        raise WorkshopError(
            _l("Notez au moins un moyen de joindre la personne : courriel, téléphone ou adresse.")
        )
    item = Volunteer(
        workshop_id=workshop.id,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        postal_address=address.strip(),
        channel=channel,
        entered_by_id=agent.id,
    )
    _fill(item, address, declared)
    db.session.add(item)
    db.session.flush()
    audit(agent, "workshop.volunteer_entered", "workshop", workshop.id, channel=channel)
    return item


def withdraw(user, workshop: Workshop) -> None:
    """Leave the pool before the draw: the declared answers are deleted with the entry."""
    item = volunteer_of(user, workshop)
    if item is None:
        return
    if item.status != VolunteerStatus.VOLUNTEER:
        raise WorkshopError(
            _l("Le tirage a eu lieu : répondez à votre invitation pour vous désister.")
        )
    db.session.delete(item)


# --- selection ----------------------------------------------------------------------------


def pool(workshop: Workshop) -> list[Volunteer]:
    return list(
        db.session.scalars(
            sa.select(Volunteer)
            .where(
                Volunteer.workshop_id == workshop.id,
                Volunteer.status == VolunteerStatus.VOLUNTEER.value,
            )
            .order_by(Volunteer.id)
        )
    )


def _area_of(workshop: Workshop) -> dict[str, str]:
    return {
        insee: q.value
        for q in workshop.quotas
        if q.category == Category.AREA
        for insee in q.communes
    }


def snapshot(workshop: Workshop) -> dict:
    """What the draw depends on, frozen: seats, quotas, each volunteer's values, households."""
    categories = sorted({q.category for q in workshop.quotas})
    areas = _area_of(workshop)
    inseec = dict(db.session.execute(sa.select(Commune.id, Commune.insee)).all())
    people, households = {}, {}
    for v in pool(workshop):
        values = {
            Category.AREA: areas.get(inseec.get(v.commune_id, ""), "autre"),
            Category.AGE: v.age_bracket,
            Category.GENDER: v.gender,
            Category.PCS: v.pcs,
            Category.FIRST_TIME: "yes" if v.first_time else "no",
        }
        people[str(v.id)] = {c: values[c] for c in categories}
        if workshop.one_per_household and v.household_key:
            households[str(v.id)] = v.household_key
    quotas = [
        {"category": q.category, "value": q.value, "min": q.min, "max": q.max}
        for q in workshop.quotas
    ]
    # The engine wants every value a volunteer has to be bounded: others are left free.
    bounded = {(q["category"], q["value"]) for q in quotas}
    for values in people.values():
        for category, value in values.items():
            if (category, value) not in bounded:
                bounded.add((category, value))
                quotas.append(
                    {"category": category, "value": value, "min": 0, "max": workshop.seats_citizen}
                )
    return {
        "seats": workshop.seats_citizen,
        "quotas": quotas,
        "people": people,
        "households": households,
    }


def problem_from(snap: dict) -> engine.SelectionProblem:
    return engine.SelectionProblem(
        people=snap["people"],
        quotas=[engine.Quota(**q) for q in snap["quotas"]],
        seats=snap["seats"],
        households=snap["households"] or None,
    )


def describe_issue(workshop: Workshop, issue: engine.QuotaIssue) -> str:
    """One obstacle to the quotas, in the facilitator's words."""
    if issue.bound == "seats":
        # `suggested` is how many can sit (one per household): the most seats possible.
        return str(
            lazy_ngettext(
                "Il y a %(num)s volontaire pouvant siéger pour %(seats)s places : il en faut "
                "davantage, ou moins de places.",
                "Il y a %(num)s volontaires pouvant siéger pour %(seats)s places : il en faut "
                "davantage, ou moins de places.",
                issue.suggested,
                seats=workshop.seats_citizen,
            )
        )
    if issue.value is None:
        category = CATEGORY_LABELS.get(issue.category, issue.category)
        if issue.bound == "min":
            return str(
                _l(
                    "Catégorie « %(category)s » : ses minimums demandent %(total)s places, plus "
                    "que les %(seats)s places du panel ; baissez-en certains.",
                    category=category,
                    total=issue.current,
                    seats=issue.suggested,
                )
            )
        return str(
            _l(
                "Catégorie « %(category)s » : ses maximums, limités au nombre de volontaires de "
                "chaque valeur, ne couvrent que %(total)s des %(seats)s places ; relevez-les ou "
                "recrutez d'autres volontaires.",
                category=category,
                total=issue.current,
                seats=issue.suggested,
            )
        )
    quota = next(
        (q for q in workshop.quotas if q.category == issue.category and q.value == issue.value),
        None,
    )
    label = (
        quota_label(quota)
        if quota
        else quota_label(SimpleNamespace(category=issue.category, value=issue.value, label=""))
    )
    if issue.suggested is None:
        return str(_l("Quota « %(label)s » : impossible à respecter.", label=label))
    if issue.bound == "min":
        return str(
            _l(
                "Quota « %(label)s » : minimum %(current)s impossible à atteindre ; "
                "ramenez-le à %(suggested)s (%(gap)s de moins) ou recrutez d'autres volontaires.",
                label=label,
                current=issue.current,
                suggested=issue.suggested,
                gap=issue.current - issue.suggested,
            )
        )
    return str(
        _l(
            "Quota « %(label)s » : maximum %(current)s trop bas ; portez-le à %(suggested)s "
            "(%(gap)s de plus).",
            label=label,
            current=issue.current,
            suggested=issue.suggested,
            gap=issue.suggested - issue.current,
        )
    )


def check_quotas(workshop: Workshop) -> list[str]:
    """The obstacles to the quotas with the current pool, as messages; empty when feasible."""
    if not workshop.quotas:
        return [str(_l("Définissez d'abord les quotas."))]
    snap = snapshot(workshop)
    if not snap["people"]:
        return [
            str(_l("Aucun volontaire n'est inscrit : il n'y a encore personne à tirer au sort."))
        ]
    try:
        engine.check_feasibility(problem_from(snap))
    except engine.InfeasibleQuotasError as error:
        # Each obstacle once: several quotas can lead to the same sentence.
        return list(dict.fromkeys(describe_issue(workshop, issue) for issue in error.issues))
    except engine.InvalidSelectionDataError as error:
        return [str(_l("Les données du tirage sont incohérentes : %(why)s", why=str(error)))]
    return []


def start_selection(
    actor, workshop: Workshop, *, method: str, seed: int | None, despite_open_call: bool = False
) -> Selection:
    """Queue a draw. While the call for volunteers is open, only on the facilitator's explicit
    word: those who would still volunteer would be left out of it."""
    if workshop.current_selection is not None:
        raise WorkshopError(_l("Un tirage est déjà publié pour cet atelier."))
    issues = check_quotas(workshop)
    if issues:
        raise WorkshopError(" ".join(issues))
    if workshop.call_is_open() and not despite_open_call:
        raise WorkshopError(
            _l(
                "L'appel à volontaires est ouvert jusqu'au %(date)s : les personnes qui se "
                "porteront volontaires d'ici là ne seraient pas dans ce tirage. Attendez la "
                "clôture, ou cochez la case pour tirer au sort quand même.",
                date=formatting.datetime_filter(workshop.call_closes_at),
            )
        )
    run = Selection(
        workshop_id=workshop.id,
        created_by_id=actor.id,
        method=method,
        seed=engine.new_seed() if seed is None else seed,
        snapshot=snapshot(workshop),
        step=jobs.step("En attente de démarrage"),
    )
    db.session.add(run)
    db.session.flush()
    audit(actor, "workshop.selection_started", "workshop", workshop.id, selection=run.id)
    return run


def _progress(run: Selection, percent: int, step: str) -> None:
    # Committed at once, so that the page polling the run sees it move.
    run.progress, run.step = percent, step
    db.session.commit()


def run_selection_job(selection_id: int) -> str:
    """Job: compute the fairest lottery over the panels that meet the quotas, then draw."""
    run = db.session.get(Selection, selection_id)
    run.status = "running"
    _progress(run, 10, jobs.step("Vérification des quotas"))
    try:
        problem = problem_from(run.snapshot)
        engine.check_feasibility(problem)
        _progress(run, 30, jobs.step("Calcul de la loterie la plus équitable"))
        result = engine.run_selection(
            problem, run.method, run.seed, time_limit=SELECTION_TIME_LIMIT
        )
        _progress(run, 90, jobs.step("Tirage du panel et de la liste de réserve"))
        spread = engine.summarize(result.marginals)
        stats = result.distribution.stats
        run.result = {
            "panel": list(result.panel),
            "reserve": list(result.reserve),
            "marginals": {str(k): float(v) for k, v in result.marginals.items()},
            "excluded": list(result.distribution.excluded),
            "panels": len(result.distribution.probabilities),
            "summary": {"min": spread.minimum, "median": spread.median, "max": spread.maximum},
            "seconds": stats.seconds if stats else None,
            "optimal": stats.optimal if stats else True,
            "composition": [
                vars(row) for row in engine.composition(problem, result.panel, result.marginals)
            ],
        }
        run.status = "done"
        _progress(run, 100, jobs.step("Tirage terminé"))
    except engine.InfeasibleQuotasError as error:
        db.session.rollback()
        run = db.session.get(Selection, selection_id)
        run.status, run.error = (
            "failed",
            " ".join(describe_issue(run.workshop, i) for i in error.issues),
        )
        db.session.commit()
    except Exception as error:  # the page must say it failed rather than poll forever
        db.session.rollback()
        run = db.session.get(Selection, selection_id)
        run.status, run.error = "failed", str(error)[:500]
        db.session.commit()
        raise
    return run.status


def _lock(workshop: Workshop) -> None:
    """Serialise the changes of one workshop's panel (two declines must not pick the same
    replacement). SQLite writers are already serialised by BEGIN IMMEDIATE."""
    db.session.execute(sa.select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())


def publish_selection(actor, run: Selection) -> None:
    workshop = run.workshop
    _lock(workshop)
    db.session.refresh(workshop)
    if run.status != "done":
        raise WorkshopError(_l("Ce tirage n'est pas terminé."))
    if workshop.current_selection is not None:
        raise WorkshopError(_l("Un tirage est déjà publié pour cet atelier."))
    run.published_at = utcnow()
    marginals = run.result["marginals"]
    reserve_rank = {pid: n for n, pid in enumerate(run.result["reserve"], start=1)}
    panel = set(run.result["panel"])
    for v in db.session.scalars(sa.select(Volunteer).where(Volunteer.workshop_id == workshop.id)):
        key = str(v.id)
        if key not in marginals:
            continue  # joined after the snapshot: not in this draw
        v.probability = marginals[key]
        if key in panel:
            _invite(v)
        elif key in reserve_rank:
            v.status = VolunteerStatus.RESERVE.value
            v.reserve_rank = reserve_rank[key]
            if v.user is not None:
                notify(
                    v.user,
                    _l(
                        "Tirage de l'atelier « %(title)s » : vous êtes sur la liste de réserve. "
                        "Si une place se libère, vous serez invité.",
                        title=workshop.title,
                    ),
                    url_for("workshops.selection_audit", slug=workshop.slug),
                )
    audit(actor, "workshop.selection_published", "workshop", workshop.id, selection=run.id)


# --- invitations --------------------------------------------------------------------------


def invitation_token(v: Volunteer) -> str:
    """Derived from the secret key: printed again on a letter without being stored."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"workshop-invite:{v.id}:{v.invited_at.isoformat()}".encode()
    return urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()[:24]).decode()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(token: str) -> Volunteer | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(Volunteer).where(Volunteer.invite_token_hash == _token_hash(token))
    )


def _recipient(v: Volunteer):
    if v.user is not None:
        return v.user
    # Recruited by an agent without an account: written to in French.
    return SimpleNamespace(id=None, locale="fr", email=v.email or None)


def _invite(v: Volunteer) -> None:
    v.status = VolunteerStatus.SELECTED.value
    v.reserve_rank = None
    v.invited_at = utcnow()
    token = invitation_token(v)
    v.invite_token_hash = _token_hash(token)
    workshop = v.workshop
    link = url_for("workshops.invitation", token=token, _external=True)
    send_email(
        _recipient(v),
        _l("Vous êtes tiré au sort pour l'atelier « %(title)s »", title=workshop.title),
        "workshop_invitation",
        workshop=workshop,
        link=link,
    )
    if v.user is not None:
        notify(
            v.user,
            _l("Vous êtes tiré au sort pour l'atelier « %(title)s ».", title=workshop.title),
            url_for("workshops.invitation", token=token),
        )


def respond(v: Volunteer, accept: bool, actor=None) -> Volunteer | None:
    """Confirm or decline a seat. A decline calls the next suitable person in reserve, whom
    it returns (None when nobody in reserve keeps the quotas)."""
    workshop = v.workshop
    _lock(workshop)
    db.session.refresh(v)
    if v.status not in (VolunteerStatus.SELECTED, VolunteerStatus.CONFIRMED):
        raise WorkshopError(_l("Cette invitation n'est plus valable."))
    v.answered_at = utcnow()
    audit(
        actor,
        "workshop.invitation_accepted" if accept else "workshop.invitation_declined",
        "workshop",
        workshop.id,
        volunteer=v.id,
    )
    if accept:
        if v.status == VolunteerStatus.SELECTED:
            v.status = VolunteerStatus.CONFIRMED.value
            db.session.add(
                Participant(
                    workshop_id=workshop.id,
                    role=SeatRole.CITIZEN.value,
                    user_id=v.user_id,
                    volunteer_id=v.id,
                    name=v.name,
                )
            )
            db.session.flush()
        return None
    was_seated = v.status
    v.status = VolunteerStatus.DECLINED.value
    if was_seated == VolunteerStatus.CONFIRMED:
        db.session.execute(sa.delete(Participant).where(Participant.volunteer_id == v.id))
    return _replace(workshop, v)


def _replace(workshop: Workshop, declined: Volunteer) -> Volunteer | None:
    run = workshop.current_selection
    volunteers = {
        str(x.id): x
        for x in db.session.scalars(
            sa.select(Volunteer).where(Volunteer.workshop_id == workshop.id)
        )
    }
    seated = [
        k
        for k, x in volunteers.items()
        if x.status in (VolunteerStatus.SELECTED, VolunteerStatus.CONFIRMED)
    ]
    unavailable = [
        k
        for k, x in volunteers.items()
        if x.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN)
    ]
    try:
        chosen = engine.replace(
            problem_from(run.snapshot),
            [*seated, str(declined.id)],
            str(declined.id),
            run.result["reserve"],
            unavailable,
        )
    except engine.NoReplacementError:
        _warn_facilitators(workshop)
        return None
    replacement = volunteers[chosen]
    _invite(replacement)
    return replacement


def _warn_facilitators(workshop: Workshop) -> None:
    from civic.accounts.models import RoleGrant, User

    facilitators = db.session.scalars(
        sa.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.FACILITATOR.value, User.deleted_at.is_(None))
    )
    for user in facilitators:
        notify(
            user,
            _l(
                "Atelier « %(title)s » : un siège s'est libéré et personne dans la liste de "
                "réserve ne respecte les quotas.",
                title=workshop.title,
            ),
            url_for("workshops.volunteers", workshop_id=workshop.id),
        )


# --- the table ------------------------------------------------------------------------------


def add_participant(actor, workshop: Workshop, user, role: str, table_no: int = 1) -> Participant:
    """Seat an elected official or a technician (citizens come from the draw)."""
    if role not in (SeatRole.ELECTED, SeatRole.TECHNICIAN, SeatRole.FACILITATOR):
        raise WorkshopError(_l("Les places citoyennes sont attribuées par le tirage au sort."))
    if role != SeatRole.FACILITATOR:
        taken = db.session.scalar(
            sa.select(sa.func.count(Participant.id)).where(
                Participant.workshop_id == workshop.id, Participant.role == role
            )
        )
        if taken >= workshop.seats[role]:
            raise WorkshopError(_l("Toutes les places de ce collège sont attribuées."))
    if db.session.scalar(
        sa.select(Participant.id).where(
            Participant.workshop_id == workshop.id, Participant.user_id == user.id
        )
    ):
        raise WorkshopError(_l("Cette personne a déjà une place à la table."))
    seat = Participant(
        workshop_id=workshop.id, role=role, user_id=user.id, table_no=max(1, table_no)
    )
    db.session.add(seat)
    db.session.flush()
    audit(actor, "workshop.seat_added", "workshop", workshop.id, user=user.id, role=role)
    return seat


def remove_participant(actor, seat: Participant) -> None:
    if seat.role == SeatRole.CITIZEN:
        raise WorkshopError(
            _l("Une place citoyenne se libère par la réponse « je ne viens pas » à l'invitation.")
        )
    audit(actor, "workshop.seat_removed", "workshop", seat.workshop_id, user=seat.user_id)
    db.session.delete(seat)


def participants(workshop: Workshop) -> list[Participant]:
    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(Participant.workshop_id == workshop.id)
            .order_by(Participant.table_no, Participant.role, Participant.id)
        )
    )


def set_attendance(actor, workshop: Workshop, present: set[int], tables: dict[int, int]) -> None:
    for seat in participants(workshop):
        seat.attended = seat.id in present
        if seat.id in tables:
            seat.table_no = max(1, min(tables[seat.id], workshop.tables))
    audit(actor, "workshop.attendance", "workshop", workshop.id, present=len(present))


def seat_of(user, workshop: Workshop) -> Participant | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.workshop_id == workshop.id, Participant.user_id == user.id
        )
    )


# --- personal data ---------------------------------------------------------------------------


def export_personal_data(user) -> dict:
    rows = db.session.scalars(sa.select(Volunteer).where(Volunteer.user_id == user.id))
    return {
        "volunteering": [
            {
                "workshop": v.workshop.title,
                "commune": v.commune.name if v.commune else None,
                "age_bracket": v.age_bracket,
                "gender": v.gender,
                "pcs": v.pcs,
                "first_time": v.first_time,
                "availability": v.availability,
                "needs": v.needs,
                "status": v.status,
                "probability": v.probability,
            }
            for v in rows
        ],
        "seats": [
            {
                "workshop": seat.workshop.title,
                "role": seat.role,
                "table": seat.table_no,
                "attended": seat.attended,
            }
            for seat in db.session.scalars(
                sa.select(Participant).where(Participant.user_id == user.id)
            )
        ],
        "notes": [
            {
                "workshop": note.workshop.title,
                "table": note.table_no,
                "created_at": note.created_at.isoformat(),
                "body": note.body,
                "status": note.status,
            }
            for note in db.session.scalars(
                sa.select(Note).where(Note.author_id == user.id).order_by(Note.id)
            )
        ],
        "ballots": _ballots_of(user),
    }


def _ballots_of(user) -> list[dict]:
    ballots: dict[int, dict] = {}
    for ballot_id, title, created_at, theme, value in db.session.execute(
        sa.select(Ballot.id, Workshop.title, Ballot.created_at, Theme.title, BallotEntry.value)
        .join(Workshop, Workshop.id == Ballot.workshop_id)
        .join(BallotEntry, BallotEntry.ballot_id == Ballot.id)
        .join(Theme, Theme.id == BallotEntry.theme_id)
        .where(Ballot.user_id == user.id)
        .order_by(Ballot.id, BallotEntry.id)
    ):
        entry = ballots.setdefault(
            ballot_id, {"workshop": title, "created_at": created_at.isoformat(), "values": []}
        )
        entry["values"].append({"theme": theme, "value": value})
    return list(ballots.values())


def erase_personal_data(user) -> None:
    """Volunteer entries go (with their declared answers); seats and notes stay, anonymous."""
    from civic.workshops.models import Ballot, Note

    db.session.execute(
        sa.update(Participant).where(Participant.user_id == user.id).values(user_id=None, name="")
    )
    db.session.execute(sa.update(Note).where(Note.author_id == user.id).values(author_id=None))
    db.session.execute(sa.update(Ballot).where(Ballot.user_id == user.id).values(user_id=None))
    volunteer_ids = list(
        db.session.scalars(sa.select(Volunteer.id).where(Volunteer.user_id == user.id))
    )
    if volunteer_ids:
        db.session.execute(
            sa.update(Participant)
            .where(Participant.volunteer_id.in_(volunteer_ids))
            .values(volunteer_id=None)
        )
        db.session.execute(sa.delete(Volunteer).where(Volunteer.id.in_(volunteer_ids)))


def forget_contacts(workshop: Workshop) -> None:
    """Once the workshop is over, the contact details agents typed are no longer needed."""
    db.session.execute(
        sa.update(Volunteer)
        .where(Volunteer.workshop_id == workshop.id, Volunteer.user_id.is_(None))
        .values(email="", phone="", postal_address="", household_key="")
    )
