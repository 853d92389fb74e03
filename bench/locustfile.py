"""Simulated participants for bench/bench_load.py (locust, headless).

Run by bench/bench_load.py, which writes the plan (consultations, proposal ids, services,
accounts) to a JSON file named by CIVIC_LOCUST_PLAN; at the end of the run, the status codes
seen per request name, the outcomes of the writes and the proposals touched are written to
CIVIC_LOCUST_RESULT.

Each participant has an account of its own and logs in through the real login form (the CSRF
token read from the page), then browses, votes, comments and rates with the forms a browser
sends: the vote form as htmx posts it (HX-Request) or without JavaScript (303, then the page),
the comment form, the rating form. Each participant comes from an address of its own
(X-Forwarded-For, read by the app as behind nginx with CIVIC_PROXY_COUNT=1), so that the
per-address rate limits apply as they would to residents. Every request is named by the Flask
endpoint it reaches, with the consultation ([10k] or [demo]) where the page differs.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["CIVIC_LOCUST_PLAN"]).read_text(encoding="utf-8"))
RESULT_PATH = os.environ.get("CIVIC_LOCUST_RESULT")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
AGREE_LIMIT_TEXT = "Vous avez déjà donné vos"
FROZEN_TEXT = "suspendus"
COMMENTS = [
    "Je soutiens cette idée, elle changerait le quotidien de ma famille.",
    "Bonne idée, mais qui paiera l'entretien ?",
    "Il faudrait d'abord en parler avec les riverains.",
    "Nous attendons cela depuis des années dans notre commune.",
    "Pas convaincu : les priorités sont ailleurs à mon avis.",
    "Pourquoi ne pas commencer par un essai de quelques mois ?",
]
RATING_COMMENTS = ["Accueil aimable, mais beaucoup d'attente.", "Très bon service, merci."]

# Shared by all the participants of this (single) locust process.
NEXT_ACCOUNT = itertools.count(1)
STATUS = defaultdict(Counter)  # request name -> Counter(status code; 0 = no response)
OUTCOMES = Counter()
TOUCHED = defaultdict(set)  # consultation key -> proposal ids voted on or commented
ERRORS: list[str] = []  # the first server errors, for the report
PARTICIPANTS: list[int] = []
SAMPLES: list[tuple[float, str, float]] = []  # (started, request, milliseconds)


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    STATUS[f"{request_type} {name}"][status] += 1
    started = kwargs.get("start_time") or time.time() - response_time / 1000
    SAMPLES.append((round(started, 3), f"{request_type} {name}", round(response_time, 1)))
    if (status >= 500 or status == 0) and len(ERRORS) < 10:
        body = (getattr(response, "text", "") or "")[:300].replace("\n", " ")
        ERRORS.append(f"{request_type} {name}: {status} {exception or ''} {body}")


def _write_result(**kwargs) -> None:
    if not RESULT_PATH:
        return
    with open(RESULT_PATH, "w", encoding="utf-8") as out:
        json.dump(
            {
                "status": {name: dict(counts) for name, counts in STATUS.items()},
                "outcomes": dict(OUTCOMES),
                "touched": {key: sorted(ids) for key, ids in TOUCHED.items()},
                "errors": ERRORS,
                "participants": len(PARTICIPANTS),
                "samples": SAMPLES,
            },
            out,
        )


events.test_stop.add_listener(_write_result)
events.quitting.add_listener(_write_result)


class BehindTls(DefaultCookiePolicy):
    """Secure cookies go back to the site, as a browser sends them over HTTPS.

    In production nginx serves the site over HTTPS and the session cookie is Secure; here
    locust talks plain HTTP to gunicorn on 127.0.0.1, where a strict cookie jar would keep it.
    """

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Participant(FastHttpUser):
    wait_time = between(PLAN["wait"][0], PLAN["wait"][1])
    # A few connections per participant, as a browser keeps.
    concurrency = 2

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(BehindTls())
        self.index = next(NEXT_ACCOUNT)
        PARTICIPANTS.append(self.index)
        if self.index > PLAN["accounts"]:
            raise RuntimeError("more simulated participants than accounts")
        i = self.index
        self.headers = {
            "X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
            "Accept-Language": "fr-FR,fr;q=0.9",
        }
        self.rng = random.Random(i)
        self.csrf = ""
        self.log_in()

    # --- helpers ---------------------------------------------------------------------------

    def get(self, url: str, name: str, expect: tuple[int, ...] = (200,), **kwargs):
        with self.client.get(
            url, name=name, headers=self.headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code in expect:
                response.success()
                token = CSRF_RE.search(response.text or "")
                if token:
                    self.csrf = token.group(1)
            else:
                response.failure(f"HTTP {response.status_code}")
            return response

    def post(self, url: str, name: str, data: dict, headers: dict | None = None):
        """POST without following the redirect; the caller judges the answer."""
        return self.client.post(
            url,
            name=name,
            data={**data, "csrf_token": self.csrf},
            headers={**self.headers, **(headers or {})},
            allow_redirects=False,
            catch_response=True,
        )

    def follow(self, response, name: str) -> None:
        """The GET a browser makes after a 303 (it carries the flash message)."""
        location = response.headers.get("Location", "").split("#")[0]
        if location:
            self.get(location, name)

    def consultation(self) -> tuple[str, dict]:
        key = "10k" if self.rng.random() < PLAN["big_share"] else "demo"
        return key, PLAN["consultations"][key]

    def proposal_id(self, consultation: dict) -> int:
        pool = consultation["popular"] if self.rng.random() < 0.6 else consultation["proposals"]
        return self.rng.choice(pool)

    # --- the journey -----------------------------------------------------------------------

    def log_in(self) -> None:
        self.get("/compte/connexion", "accounts.login")
        with self.post(
            "/compte/connexion",
            "accounts.login",
            {"email": PLAN["email"].format(i=self.index), "password": PLAN["password"]},
        ) as response:
            if response.status_code == 303:
                response.success()
                OUTCOMES["login ok"] += 1
            else:
                response.failure(f"login: HTTP {response.status_code}")
                OUTCOMES["login refused"] += 1
                return
        self.follow(response, "pages.home")

    @task(2)
    def home(self) -> None:
        self.get("/", "pages.home")

    @task(2)
    def consultations(self) -> None:
        self.get("/concertations", "consultations.index")

    @task(2)
    def consultation_page(self) -> None:
        key, c = self.consultation()
        self.get(f"/concertations/{c['slug']}", f"consultations.show [{key}]")

    @task(8)
    def proposal_list(self) -> None:
        key, c = self.consultation()
        sort = self.rng.choice(["supported", "debated", "newest", "random"])
        query = {"sort": sort}
        name = f"consultations.proposals sort={sort} [{key}]"
        if self.rng.random() < 0.25:
            query["page"] = self.rng.randint(2, c["pages"])
            name = f"consultations.proposals page>1 [{key}]"
        self.get(f"/concertations/{c['slug']}/propositions", name, params=query)

    @task(3)
    def search(self) -> None:
        key, c = self.consultation()
        query = {"q": self.rng.choice(c["words"])}
        if self.rng.random() < 0.5:
            query["theme"] = self.rng.choice(c["themes"])
        self.get(
            f"/concertations/{c['slug']}/propositions",
            f"consultations.proposals search [{key}]",
            params=query,
        )

    @task(10)
    def proposal(self) -> None:
        key, c = self.consultation()
        pid = self.proposal_id(c)
        self.get(
            f"/concertations/{c['slug']}/propositions/{pid}", f"consultations.show_proposal [{key}]"
        )

    @task(1)
    def featured_comments(self) -> None:
        c = PLAN["consultations"]["10k"]
        page = self.rng.randint(2, c["featured_pages"])
        self.get(
            f"/concertations/{c['slug']}/propositions/{c['featured']}",
            "consultations.show_proposal ?page=N (500 comments) [10k]",
            params={"page": page},
        )

    @task(8)
    def vote(self) -> None:
        key, c = self.consultation()
        pid = self.proposal_id(c)
        url = f"/concertations/{c['slug']}/propositions/{pid}"
        self.get(url, f"consultations.show_proposal [{key}]")
        roll = self.rng.random()
        choice = (
            "agree"
            if roll < 0.45
            else "disagree"
            if roll < 0.75
            else "pass"
            if roll < 0.95
            else "retract"
        )
        htmx = self.rng.random() < 0.8
        name = f"consultations.vote{' (htmx)' if htmx else ''} [{key}]"
        headers = {"HX-Request": "true", "HX-Current-URL": url} if htmx else {}
        with self.post(url + "/vote", name, {"vote": choice}, headers) as response:
            text = response.text or ""
            if htmx and response.status_code == 200:
                response.success()
                OUTCOMES["vote recorded"] += 1
            elif htmx and response.status_code == 422 and AGREE_LIMIT_TEXT in text:
                response.success()  # the consultation's limit of "d'accord", as designed
                OUTCOMES["vote refused: agree limit reached"] += 1
            elif not htmx and response.status_code == 303:
                response.success()
                OUTCOMES["vote recorded (no JS)"] += 1
            else:
                response.failure(f"HTTP {response.status_code}")
                OUTCOMES["vote failed"] += 1
                return
        TOUCHED[key].add(pid)
        if not htmx:
            self.follow(response, f"consultations.show_proposal [{key}]")

    @task(1)
    def comment(self) -> None:
        key, c = self.consultation()
        pid = self.proposal_id(c)
        url = f"/concertations/{c['slug']}/propositions/{pid}"
        self.get(url, f"consultations.show_proposal [{key}]")
        data = {
            "body": self.rng.choice(COMMENTS),
            "stance": self.rng.choice(["for", "against", "neutral"]),
        }
        with self.post(url + "/commentaires", f"consultations.comment [{key}]", data) as response:
            if response.status_code == 303:
                response.success()
                OUTCOMES["comment published"] += 1
            else:
                response.failure(f"HTTP {response.status_code}")
                OUTCOMES["comment failed"] += 1
                return
        TOUCHED[key].add(pid)
        self.follow(response, f"consultations.show_proposal [{key}]")

    @task(2)
    def services(self) -> None:
        self.get("/services", "ratings.index")
        self.get(f"/services/{self.rng.choice(PLAN['services'])}", "ratings.show")

    @task(1)
    def rate(self) -> None:
        service = self.rng.choice(PLAN["services"])
        url = f"/services/{service}/avis"
        self.get(url, "ratings.rate")
        data = {name: str(self.rng.randint(1, 5)) for name in PLAN["criteria"]}
        data["channel"] = self.rng.choice(["on_site", "phone", "email", "online"])
        data["open_as_announced"] = self.rng.choice(["yes", "no", "unknown"])
        data["comment"] = self.rng.choice(RATING_COMMENTS) if self.rng.random() < 0.2 else ""
        with self.post(url, "ratings.rate", data) as response:
            if response.status_code == 303:
                response.success()
                OUTCOMES["rating recorded"] += 1
            elif response.status_code == 422 and FROZEN_TEXT in (response.text or ""):
                response.success()  # burst guard: the service froze its ratings, as designed
                OUTCOMES["rating refused: service frozen (burst guard)"] += 1
                return
            else:
                response.failure(f"HTTP {response.status_code}")
                OUTCOMES["rating failed"] += 1
                return
        self.follow(response, "ratings.show")
