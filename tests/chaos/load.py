"""Steady mixed load, as real clients would send it, from a few bounded threads.

Users register once at the start (one learner each). Each thread then owns some of them and, at
a shared bounded rate, submits content (some with an Idempotency-Key, some `fresh`, unique or
shared concepts), submits analytics, posts sessions and answers (which schedule automatic
analytics), and reads (a job it was given, its learner, its job list). Every answer is recorded
in the `Ledger`. Like a careful client, a keyed submission that got no answer or a 503 is sent
again with the same key (which must not create a second job), and some are deliberately
replayed after their 202 (which must answer the same job).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.chaos.ledger import NO_RESPONSE, Accepted, Ledger

PASSWORD = "chaos-campaign-password-42"
REQUEST_TIMEOUT_SECONDS = 10.0
KEYED_RESENDS = 4  # a keyed submission is sent at most this often while the answer is 503/none

# Concepts several requests share, so that the cache and the learner model see repeats; the
# others are unique per request so that the model server's log attributes each call to one job.
SHARED_CONCEPTS = (
    "SQL joins",
    "Python list comprehensions",
    "Recursion",
    "Git branching",
    "Binary search",
    "REST APIs",
    "Pandas groupby",
    "Docker volumes",
    "CSS flexbox",
    "Linear regression",
)
LEVELS = ("beginner", "intermediate", "advanced")
STYLES = ("visual", "auditory", "reading", "kinesthetic")
CONTENT_TYPES = ("lesson", "quiz", "exercise")

# Action → weight. Reads are cheap and frequent; content submissions drive the model bill.
ACTIONS = {
    "submit_content": 25,
    "submit_analytics": 12,
    "post_session": 13,
    "post_responses": 10,
    "get_job": 20,
    "get_learner": 10,
    "list_jobs": 10,
}


@dataclass
class User:
    """One signed-in user with one learner; used by one load thread only."""

    base_url: str
    name: str
    ledger: Ledger
    http: httpx.Client = field(init=False)
    learner_id: int = 0

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT_SECONDS)

    def sign_in(self) -> bool:
        response = self.http.post(
            "/api/auth/token", data={"username": self.name, "password": PASSWORD}
        )
        if response.status_code != 200:
            return False
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return True

    def call(
        self,
        action: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        """Send one request and record its answer; None when no HTTP answer came back."""
        try:
            response = self.http.request(method, path, json=json, headers=headers)
            if response.status_code == 401 and self.sign_in():  # a token outlived its expiry
                response = self.http.request(method, path, json=json, headers=headers)
        except httpx.HTTPError:
            self.ledger.answered(action, NO_RESPONSE)
            return None
        status = response.status_code
        self.ledger.answered(action, status)
        if status >= 500 and status != 503:
            self.ledger.anomaly(
                "server_error",
                action=action,
                status=status,
                request_id=response.headers.get("X-Request-ID"),
                detail=f"{method} {path}: {response.text[:300]}",
            )
        return response

    def close(self) -> None:
        self.http.close()


def register_users(base_url: str, ledger: Ledger, count: int, run_tag: str) -> list[User]:
    """Sign up `count` users with one learner each (the stack is healthy: errors are fatal)."""
    users = []
    for index in range(count):
        user = User(base_url, f"chaos_{run_tag}_{index}", ledger)
        created = user.http.post(
            "/api/auth/register",
            json={"username": user.name, "email": f"{user.name}@example.com", "password": PASSWORD},
        )
        if created.status_code != 201 or not user.sign_in():
            raise RuntimeError(
                f"could not sign up {user.name}: {created.status_code} {created.text}"
            )
        learner = user.http.post(
            "/api/learners",
            json={
                "target_niche": f"niche_{index}",
                "experience_level": LEVELS[index % len(LEVELS)],
                "preferred_learning_style": STYLES[index % len(STYLES)],
                "learning_goals": "Become a junior data analyst.",
            },
        )
        if learner.status_code != 201:
            raise RuntimeError(f"could not create a learner: {learner.status_code} {learner.text}")
        user.learner_id = int(learner.json()["id"])
        users.append(user)
    return users


class Pacer:
    """Hands out request slots at a fixed rate to all threads; missed slots are not made up."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event) -> bool:
        """Wait for the next slot; False when the load is being stopped."""
        with self._lock:
            now = time.monotonic()
            slot = max(self._next, now)
            self._next = slot + self._interval
        return not stop.wait(max(0.0, slot - now))


class LoadGenerator:
    def __init__(
        self, users: list[User], ledger: Ledger, *, rate: float, threads: int, seed: int
    ) -> None:
        self.users = users
        self.ledger = ledger
        self.seed = seed
        self.threads_count = max(1, min(threads, len(users)))
        self._pacer = Pacer(rate)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._counter = 0
        self._counter_lock = threading.Lock()
        self.errors: list[str] = []

    def start(self) -> None:
        for index in range(self.threads_count):
            mine = self.users[index :: self.threads_count]
            thread = threading.Thread(
                target=self._run, args=(index, mine), name=f"load-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT_SECONDS * (KEYED_RESENDS + 2))

    def _run(self, index: int, users: list[User]) -> None:
        rng = random.Random(self.seed * 1000 + index)
        names, weights = list(ACTIONS), list(ACTIONS.values())
        while self._pacer.wait(self._stop):
            user = rng.choice(users)
            action = rng.choices(names, weights)[0]
            try:
                getattr(self, action)(user, rng)
            except Exception as exc:  # a harness bug must not silently stop the load
                self.errors.append(f"{action}: {type(exc).__name__}: {exc}")

    def _unique(self) -> int:
        with self._counter_lock:
            self._counter += 1
            return self._counter

    # --- submissions --------------------------------------------------------------------------
    def submit_content(self, user: User, rng: random.Random) -> None:
        if rng.random() < 0.5:
            concept = rng.choice(SHARED_CONCEPTS)
        else:
            concept = f"Chaos topic {self.seed}-{self._unique()}"
        body: dict[str, Any] = {"concept": concept, "content_type": rng.choice(CONTENT_TYPES)}
        fresh = rng.random() < 0.2
        if fresh:
            body["fresh"] = True
        self._submit(
            user,
            rng,
            "submit_content",
            f"/api/learners/{user.learner_id}/generate-content",
            body,
            kind="content",
            concept=concept,
            fresh=fresh,
        )

    def submit_analytics(self, user: User, rng: random.Random) -> None:
        self._submit(
            user,
            rng,
            "submit_analytics",
            f"/api/learners/{user.learner_id}/analytics",
            {"days": rng.choice((7, 30, 90))},
            kind="analytics",
        )

    def _submit(
        self,
        user: User,
        rng: random.Random,
        action: str,
        path: str,
        body: dict[str, Any],
        *,
        kind: str,
        concept: str | None = None,
        fresh: bool = False,
    ) -> None:
        key = f"chaos-{uuid.uuid4().hex}" if rng.random() < 0.4 else None
        headers = {"Idempotency-Key": key} if key else None
        for _ in range(KEYED_RESENDS):
            response = user.call(action, "POST", path, json=body, headers=headers)
            if response is not None and response.status_code == 202:
                job_id = str(response.json()["id"])
                self.ledger.accept(
                    Accepted(
                        job_id=job_id,
                        kind=kind,
                        user=user.name,
                        at=time.time(),
                        phase=self.ledger.phase,
                        idempotency_key=key,
                        concept=concept,
                        fresh=fresh,
                    )
                )
                if key and rng.random() < 0.2:
                    self._replay(user, action, path, body, key, job_id)
                return
            unanswered = response is None or response.status_code == 503
            if key is None or not unanswered or self._stop.is_set():
                return  # without a key, resending could create a second job: a client would not
            time.sleep(rng.uniform(0.5, 2.0))  # a client's pause before resending, not a sync

    def _replay(
        self, user: User, action: str, path: str, body: dict[str, Any], key: str, job_id: str
    ) -> None:
        """Send a keyed submission again: the same job must come back."""
        response = user.call(
            f"{action}_replay", "POST", path, json=body, headers={"Idempotency-Key": key}
        )
        if response is None or response.status_code in (503, 429):
            return
        request_id = response.headers.get("X-Request-ID")
        if response.status_code == 202:
            again = str(response.json()["id"])
            if again != job_id:
                self.ledger.anomaly(
                    "idempotency_new_job",
                    action=action,
                    status=202,
                    request_id=request_id,
                    detail=f"key {key}: first {job_id}, replay {again}",
                )
            return
        self.ledger.anomaly(
            "idempotency_replay_refused",
            action=action,
            status=response.status_code,
            request_id=request_id,
            detail=f"key {key} of job {job_id}: {response.text[:300]}",
        )

    # --- activity -----------------------------------------------------------------------------
    def post_session(self, user: User, rng: random.Random) -> None:
        start = datetime.now(UTC) - timedelta(minutes=rng.uniform(10, 24 * 60))
        minutes = rng.randint(5, 60)
        items = [
            {"concept": rng.choice(SHARED_CONCEPTS), "correct": rng.random() < 0.6}
            for _ in range(rng.randint(0, 3))
        ]
        user.call(
            "post_session",
            "POST",
            f"/api/learners/{user.learner_id}/sessions",
            json={
                "session_start": start.isoformat(),
                "session_end": (start + timedelta(minutes=minutes)).isoformat(),
                "exercises_completed": items,
                "completion_rate": round(rng.random(), 3),
                "performance_score": round(rng.random(), 3),
            },
        )

    def post_responses(self, user: User, rng: random.Random) -> None:
        responses = [
            {"concept": rng.choice(SHARED_CONCEPTS), "correct": rng.random() < 0.6}
            for _ in range(rng.randint(1, 5))
        ]
        user.call(
            "post_responses",
            "POST",
            f"/api/learners/{user.learner_id}/responses",
            json={"responses": responses},
        )

    # --- reads --------------------------------------------------------------------------------
    def get_job(self, user: User, rng: random.Random) -> None:
        mine = self.ledger.accepted_ids(user.name)[-30:]
        if not mine:
            return
        job_id = rng.choice(mine)
        response = user.call("get_job", "GET", f"/api/jobs/{job_id}")
        if response is not None and response.status_code == 404:
            self.ledger.anomaly(
                "accepted_job_not_found",
                action="get_job",
                status=404,
                request_id=response.headers.get("X-Request-ID"),
                detail=f"job {job_id} was accepted with 202, GET answers 404",
            )

    def get_learner(self, user: User, rng: random.Random) -> None:
        user.call("get_learner", "GET", f"/api/learners/{user.learner_id}")

    def list_jobs(self, user: User, rng: random.Random) -> None:
        kind = rng.choice(("", "&kind=content", "&kind=analytics"))
        user.call("list_jobs", "GET", f"/api/jobs?limit=20{kind}")
