"""Thin views: load, require, call a service, commit once, render or redirect."""

from flask import (
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from civic.consultations.models import Consultation
from civic.core import limits
from civic.core.caching import FRAGMENTS_KEPT, app_cache
from civic.core.formatting import current_locale
from civic.core.htmx import render_page_or_block, wants_fragment
from civic.core.pagination import page_arg
from civic.core.permissions import can, require
from civic.documents import analysis as drafts_analysis
from civic.documents import office, queries, services
from civic.documents.forms import (
    AmendmentForm,
    DecisionForm,
    ImportForm,
    ItemAnswerForm,
    ReactionForm,
    VersionForm,
)
from civic.documents.models import DECISION_LABELS, REACTION_LABELS, Draft
from civic.documents.text import align, word_diff
from civic.extensions import db


def _draft(slug: str, draft_id: int, with_versions: bool = False):
    draft = queries.draft_in(slug, draft_id, with_versions)
    if draft is None or draft.current_version is None:
        abort(404)
    require("documents.view", draft)
    return draft


def _item(slug: str, draft_id: int, passage_id: int):
    draft = _draft(slug, draft_id)
    item = queries.item_in(draft, passage_id)
    if item is None:
        abort(404)
    return draft, item


def _amendment(slug: str, draft_id: int, amendment_id: int):
    draft = _draft(slug, draft_id)
    amendment = queries.amendment_in(draft, amendment_id)
    if amendment is None:
        abort(404)
    # Before moderation lets it through (or once hidden), only its author and staff see it.
    own = current_user.is_authenticated and amendment.author_id == current_user.id
    if amendment.status != "published" and not (own or can(current_user, "documents.manage")):
        abort(404)
    return draft, amendment


# Versions whose words are kept per process: a few texts, each read by many.
WORDS_KEPT = 50


def _heat(items) -> dict[int, int]:
    """Item id -> 0 to 5: where the reactions concentrate, relative to the busiest passage."""
    counts = {
        i.id: i.agree_count + i.disagree_count + i.question_count + i.amendment_count for i in items
    }
    top = max(counts.values(), default=0)
    return {id_: (-(-5 * count // top) if top else 0) for id_, count in counts.items()}


def _body(draft, version, *, is_current: bool, may_react: bool, may_amend: bool) -> Markup:
    """The passages and their counters, kept per process at two levels. The whole text under
    the version's `activity`, drawn anew with anything it shows: rendered once per change
    rather than once per reader. Each passage under what it shows (its counters, answer and
    heat; its words and origin never change, and are kept per version): after a reaction, one
    passage is rendered again and the others come from the cache, for one query of the
    counters. Neither level's statements depend on the text's length."""
    inviting = is_current and (may_react or may_amend)
    locale = str(current_locale())
    cache = app_cache("fragments", FRAGMENTS_KEPT)
    slug = draft.consultation.slug  # in the links; staff may change it
    key = ("draft-body", locale, slug, version.id, version.activity, inviting)
    html = cache.get(key)
    if html is not None:
        return html
    states = queries.item_states(version)
    heat = _heat(states)
    # An id alone does not name a passage's words: SQLite gives the ids of deleted rows again.
    # The version's id and creation time do (a version's items never change).
    prefix = ("draft-passage", locale, slug, version.id, version.created_at, inviting)
    keys = {
        state.id: (*prefix, *state, heat[state.id])  # state: id, counters, answered
        for state in states
    }
    kept = {id_: cache.get(k) for id_, k in keys.items()}
    words = None
    if None in kept.values():  # some passage to render: its words, kept per version
        words_cache = app_cache("draft-words", WORDS_KEPT)
        words_key = (version.id, version.created_at)
        words = words_cache.get(words_key)
        if words is None:
            words = queries.item_words(version)
            words_cache.put(words_key, words)
    passage = get_template_attribute("documents/_passage.html", "passage")
    urls = (
        url_for("documents.show_item", slug=slug, draft_id=draft.id, passage_id=0)[:-1],
        url_for("documents.show_amendment", slug=slug, draft_id=draft.id, amendment_id=0)[:-1],
    )
    parts = ['<div class="draft-body">']
    for state in states:
        fragment = kept[state.id]
        if fragment is None:
            item_words, origin = words[state.id]
            item = item_words | state._asdict()  # the words, then the counters and answered
            fragment = passage(item, origin, heat[state.id], inviting, *urls)
            cache.put(keys[state.id], fragment)
        parts.append(fragment)
    parts.append("</div>")
    html = Markup("".join(parts))  # noqa: S704  # nosec B704 - escaped macro output
    cache.put(key, html)
    return html


def _version_page(draft, version):
    is_current = version.id == draft.current_version_id
    may_react = can(current_user, "documents.react", draft)
    may_amend = can(current_user, "documents.amend", draft)
    return render_template(
        "documents/show.html",
        draft=draft,
        consultation=draft.consultation,
        version=version,
        versions=draft.versions,
        body=_body(draft, version, is_current=is_current, may_react=may_react, may_amend=may_amend),
        is_current=is_current,
        may_react=may_react,
        may_amend=may_amend,
    )


def show(slug: str, draft_id: int):
    draft = _draft(slug, draft_id, with_versions=True)
    return _version_page(draft, draft.current_version)


def _numbered(draft, number: int):
    return next((v for v in draft.versions if v.number == number), None)


def show_version(slug: str, draft_id: int, number: int):
    draft = _draft(slug, draft_id, with_versions=True)
    version = _numbered(draft, number)
    if version is None:
        abort(404)
    return _version_page(draft, version)


def _number_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdecimal() or not raw.isascii() or len(raw) > 6:
        abort(404)
    return int(raw)


def compare(slug: str, draft_id: int):
    """Two versions side by side, paragraph by paragraph, words marked."""
    draft = _draft(slug, draft_id, with_versions=True)
    newer_number = _number_arg("a", draft.current_version.number)
    newer = _numbered(draft, newer_number)
    older = _numbered(draft, _number_arg("de", newer_number - 1))
    if newer is None or older is None or older.number >= newer.number:
        abort(404)
    old_items, new_items = queries.items(older), queries.items(newer)
    old_texts = [x.comparable() for x in old_items]
    new_texts = [x.comparable() for x in new_items]
    rows = []
    for i, j in align(old_texts, new_texts):
        row = {
            "old": old_items[i] if i is not None else None,
            "new": new_items[j] if j is not None else None,
            "old_text": old_texts[i] if i is not None else "",
            "new_text": new_texts[j] if j is not None else "",
            "diff": None,
            "changed": False,
        }
        if i is not None and j is not None and old_texts[i] != new_texts[j]:
            row["diff"] = word_diff(old_texts[i], new_texts[j])
            row["changed"] = True
        rows.append(row)
    return render_template(
        "documents/compare.html",
        draft=draft,
        consultation=draft.consultation,
        older=older,
        newer=newer,
        versions=draft.versions,
        rows=rows,
        changes=queries.changes_into(newer),
        changed=sum(1 for r in rows if r["changed"] or not (r["old"] and r["new"])),
    )


def _item_page(draft, item, *, status=200, reaction_form=None, answer_form=None):
    reactions = queries.reactions_page(item, page_arg())
    context = {
        "draft": draft,
        "consultation": draft.consultation,
        "item": item,
        "reactions": reactions,
        "reaction_labels": REACTION_LABELS,
        "decision_labels": DECISION_LABELS,
    }
    if status == 200 and wants_fragment():  # the reactions block alone, for htmx paging
        return render_page_or_block("documents/item.html", "reactions", **context)
    if reaction_form is None and can(current_user, "documents.react", item):
        reaction_form = ReactionForm()
    if answer_form is None and can(current_user, "documents.decide", item):
        answer_form = ItemAnswerForm(answer=item.answer)
    context.update(
        amendments=queries.amendments_of(item),
        reaction_form=reaction_form,
        answer_form=answer_form,
        may_amend=can(current_user, "documents.amend", item),
        is_current=item.version_id == draft.current_version_id,
    )
    return render_template("documents/item.html", **context), status


def show_item(slug: str, draft_id: int, passage_id: int):
    draft, item = _item(slug, draft_id, passage_id)
    return _item_page(draft, item)


@limits.posting
def react(slug: str, draft_id: int, passage_id: int):
    draft, item = _item(slug, draft_id, passage_id)
    require("documents.react", item)
    form = ReactionForm()
    if form.validate_on_submit():
        try:
            reaction = services.react(
                current_user, item, kind=form.kind.data, body=form.body.data or ""
            )
        except services.DocumentError as error:
            db.session.rollback()
            form.kind.errors = [*form.kind.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _("Votre réaction est en attente de modération.")
                if reaction.status == "pending"
                else _("Votre réaction est publiée."),
                "success",
            )
            target = url_for(
                "documents.show_item", slug=slug, draft_id=draft_id, passage_id=passage_id
            )
            return redirect(f"{target}#reactions", code=303)
    return _item_page(draft, item, status=422, reaction_form=form)


@limits.posting
def amend(slug: str, draft_id: int, passage_id: int):
    draft, item = _item(slug, draft_id, passage_id)
    require("documents.amend", item)
    form = AmendmentForm()
    if request.method == "GET":
        form.text.data = item.text
    elif form.validate_on_submit():
        try:
            amendment = services.propose_amendment(
                current_user, item, text=form.text.data, reason=form.reason.data or ""
            )
        except services.DocumentError as error:
            db.session.rollback()
            form.text.errors = [*form.text.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _("Votre amendement est en attente de modération.")
                if amendment.status == "pending"
                else _("Votre amendement est publié."),
                "success",
            )
            return redirect(
                url_for(
                    "documents.show_amendment",
                    slug=slug,
                    draft_id=draft_id,
                    amendment_id=amendment.id,
                ),
                code=303,
            )
    preview = word_diff(item.text, form.text.data or "") if form.text.data else None
    return render_template(
        "documents/amend.html",
        draft=draft,
        consultation=draft.consultation,
        item=item,
        form=form,
        preview=preview,
    ), 422 if form.errors else 200


def answer_item(slug: str, draft_id: int, passage_id: int):
    draft, item = _item(slug, draft_id, passage_id)
    require("documents.decide", item)
    form = ItemAnswerForm()
    if form.validate_on_submit():
        services.answer_item(current_user, item, form.answer.data)
        db.session.commit()
        flash(_("La réponse est publiée sous le passage."), "success")
        return redirect(
            url_for("documents.show_item", slug=slug, draft_id=draft_id, passage_id=passage_id),
            code=303,
        )
    return _item_page(draft, item, status=422, answer_form=form)


def _amendment_page(draft, amendment, *, status=200, decision_form=None, vote_error=None):
    context = {
        "draft": draft,
        "consultation": draft.consultation,
        "amendment": amendment,
        "item": amendment.item,
        "diff": word_diff(amendment.item.text, amendment.text),
        "vote": queries.user_vote(current_user, amendment),
        "vote_error": vote_error,
        "decision_labels": DECISION_LABELS,
    }
    if wants_fragment():
        return render_page_or_block("documents/amendment.html", "vote", **context), status
    if decision_form is None and can(current_user, "documents.decide", amendment):
        decision_form = DecisionForm(
            decision=amendment.decision, justification=amendment.justification
        )
    context.update(decision_form=decision_form, changes=queries.changes_of(amendment))
    return render_template("documents/amendment.html", **context), status


def show_amendment(slug: str, draft_id: int, amendment_id: int):
    draft, amendment = _amendment(slug, draft_id, amendment_id)
    return _amendment_page(draft, amendment)


VOTES = {"for": 1, "against": -1, "retract": 0}


def vote(slug: str, draft_id: int, amendment_id: int):
    draft, amendment = _amendment(slug, draft_id, amendment_id)
    require("documents.vote", amendment)
    choice = request.form.get("vote", "")
    error = None
    try:
        if choice not in VOTES:
            raise services.DocumentError(_("Choisissez « pour » ou « contre »."))
        services.vote_amendment(current_user, amendment, VOTES[choice])
        db.session.commit()
    except services.DocumentError as refusal:
        db.session.rollback()
        error = str(refusal)
    if wants_fragment():
        return _amendment_page(draft, amendment, status=422 if error else 200, vote_error=error)
    flash(error or _("Votre vote est enregistré."), "error" if error else "success")
    return redirect(
        url_for(
            "documents.show_amendment", slug=slug, draft_id=draft_id, amendment_id=amendment_id
        ),
        code=303,
    )


def decide(slug: str, draft_id: int, amendment_id: int):
    draft, amendment = _amendment(slug, draft_id, amendment_id)
    require("documents.decide", amendment)
    form = DecisionForm()
    if form.validate_on_submit():
        services.decide_amendment(
            current_user,
            amendment,
            decision=form.decision.data,
            justification=form.justification.data,
        )
        db.session.commit()
        flash(_("La décision est publiée ; l'auteur de l'amendement est prévenu."), "success")
        return redirect(
            url_for(
                "documents.show_amendment", slug=slug, draft_id=draft_id, amendment_id=amendment_id
            ),
            code=303,
        )
    return _amendment_page(draft, amendment, status=422, decision_form=form)


def answers(slug: str, draft_id: int):
    """Every amendment with its answer, passage by passage, across the versions."""
    draft = _draft(slug, draft_id)
    groups = queries.amendments_by_item(draft)
    return render_template(
        "documents/answers.html",
        draft=draft,
        consultation=draft.consultation,
        groups=groups,
        waiting=queries.unanswered_count(draft),
        decision_labels=DECISION_LABELS,
    )


def analysis(slug: str, draft_id: int):
    """What the reactions say, section by section: the synthesis's chapter on this text."""
    draft = _draft(slug, draft_id)
    return render_template(
        "documents/analysis.html",
        draft=draft,
        consultation=draft.consultation,
        drafts=[drafts_analysis.analyse(draft)],
        decision_labels=DECISION_LABELS,
    )


def mine():
    return render_template(
        "documents/mine.html",
        amendments=queries.mine(current_user),
        reactions=queries.my_reactions(current_user),
        decision_labels=DECISION_LABELS,
        reaction_labels=REACTION_LABELS,
    )


# --- management ------------------------------------------------------------------------------


OFFICE_ERRORS = {
    "not_zip": _l(
        "Le fichier est endommagé ou protégé par un mot de passe : enregistrez-le de nouveau "
        "(sans mot de passe) ou collez le texte."
    ),
    "not_text": _l(
        "Le fichier ne contient pas de texte Word ou OpenDocument : enregistrez-le au format "
        ".docx ou .odt, ou collez le texte."
    ),
    "too_large": _l("Le texte du fichier dépasse 20 Mo une fois décompressé : découpez-le."),
    "bad_xml": _l(
        "Le contenu du fichier est illisible : ouvrez-le dans votre traitement de texte, "
        "enregistrez-le de nouveau, ou collez le texte."
    ),
}


def _upload_text(form) -> str | None:
    """The Markdown of the pasted text or of the uploaded file (.md as it is; .docx and
    .odt converted); None, with the field's error set, when the file cannot be read."""
    upload = form.upload.data
    if not upload or not getattr(upload, "filename", ""):
        return form.source.data or ""
    name = upload.filename.lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in {"md", "markdown", "txt", "docx", "odt"}:
        form.upload.errors = [
            *form.upload.errors,
            _(
                "Seuls les fichiers Markdown (.md), Word (.docx) et OpenDocument (.odt) sont "
                "acceptés ; sinon, collez le texte."
            ),
        ]
        return None
    if extension in {"docx", "odt"}:
        try:
            return office.to_markdown(upload.read(), extension)
        except office.OfficeError as error:
            form.upload.errors = [*form.upload.errors, str(OFFICE_ERRORS[error.code])]
            return None
    try:
        return upload.read(600_000).decode("utf-8-sig")
    except UnicodeDecodeError:
        form.upload.errors = [*form.upload.errors, _("Le fichier n'est pas un texte en UTF-8.")]
        return None


def manage(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    require("documents.manage", consultation)
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        source = _upload_text(form)
        if source is not None and not source.strip():
            form.source.errors = [
                *form.source.errors,
                _("Collez le texte ou choisissez un fichier."),
            ]
        elif source is not None:
            try:
                draft = services.import_draft(
                    current_user,
                    consultation,
                    title=form.title.data,
                    summary=form.summary.data or "",
                    source=source,
                )
            except services.DocumentError as error:
                db.session.rollback()
                form.source.errors = [*form.source.errors, str(error)]
            else:
                db.session.commit()
                flash(_("Le texte est importé : vérifiez son découpage."), "success")
                return redirect(
                    url_for("documents.show", slug=consultation.slug, draft_id=draft.id), code=303
                )
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template(
        "documents/manage.html",
        consultation=consultation,
        drafts=queries.drafts_of(consultation.id),
        form=form,
    ), status


def new_version(draft_id: int):
    draft = db.session.get(Draft, draft_id) or abort(404)
    require("documents.manage", draft)
    if draft.current_version is None:
        abort(404)
    form = VersionForm()
    candidates = services.changeable_amendments(draft)
    form.amendments.choices = [(a.id, f"#{a.id}") for a in candidates]
    if request.method == "GET":
        form.source.data = services.proposed_source(draft)
        form.amendments.data = [a.id for a in candidates]
    elif form.validate_on_submit():
        try:
            version = services.publish_version(
                current_user,
                draft,
                source=form.source.data,
                note=form.note.data,
                amendment_ids=form.amendments.data or [],
            )
        except services.DocumentError as error:
            db.session.rollback()
            form.source.errors = [*form.source.errors, str(error)]
        else:
            db.session.commit()
            flash(_("La version %(n)s est publiée.", n=version.number), "success")
            return redirect(
                url_for("documents.compare", slug=draft.consultation.slug, draft_id=draft.id),
                code=303,
            )
    return render_template(
        "documents/new_version.html",
        draft=draft,
        consultation=draft.consultation,
        form=form,
        candidates=candidates,
        decision_labels=DECISION_LABELS,
    ), 422 if form.errors else 200
