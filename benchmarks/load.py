"""Load benchmark: the production processes on PostgreSQL, driven by simulated people.

Run: .venv/bin/python benchmarks/load.py [--levels 10,25,50,100] [--duration 60]

What it does, in one run on one machine:

1. Drops and re-creates a PostgreSQL database of its own (``bankplan_load`` on
   127.0.0.1:5432 by default), runs the Procfile's ``release:`` line (migrate,
   collectstatic), and seeds a bank: one complete plan per simulated branch manager
   (copied from the demo bank's complete plan), one regional reviewer per region, and a
   submitted version per region for the reviewers to open.
2. Starts the Procfile's ``web:`` and ``worker:`` lines with a shell, as production would.
   With ``--url`` it targets a server that is already running instead (``--database-url``
   must then name that server's database: it is seeded if needed, and read to check saves).
3. Runs each level: N branch managers loop over their own plan's sections (open the page,
   think, save it back with new Chinese text in one narrative field), and N/10 reviewers
   loop over the review queue and a submitted version. Real HTTP, one cookie jar each.
4. Prints per level the saves per second, p50/p95/max per request kind, the errors, and
   then checks in the database that every acknowledged save is there.

Everything it starts is stopped at the end, also on Ctrl-C or an error. The server's own
settings pass through from the environment (WEB_WORKERS, WEB_THREADS, CONN_MAX_AGE, ...):
``WEB_WORKERS=3 .venv/bin/python benchmarks/load.py --levels 25`` tries another size.
Requests are measured from the client, queueing included; log-ins and the first
``--warmup`` seconds of each level (everyone arriving) are not measured, errors always count.
"""

import argparse
import http.cookiejar
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.htmlform import page_forms  # noqa: E402  (the tests read forms the same way)

VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bankplan_load"
# The seeded people all share this password; the database is the benchmark's own.
PASSWORD = "load-bench-密码"
HTTP_TIMEOUT = 120  # longer than gunicorn's own --timeout, so the server answers first

# The narrative field each section's save changes (the one textarea of its own form).
NARRATIVE = {
    "background": "local_economy",
    "swot": "summary",
    "target_market": "positioning",
    "products": "focus",
    "channels": "strategy",
    "staffing": "approach",
    "incentives": "profit_measure",
}

# Sentences a branch manager might write in each narrative; a save picks a few of them.
PHRASES = {
    "background": [
        "本县以农业和农产品加工为主，近年来引进了两家食品加工园区企业。",
        "城镇居民人均可支配收入增长约百分之六，农村居民收入增速略高于城镇。",
        "县城新区建设带动了建材、物流和餐饮等个体工商户的快速增长。",
        "外出务工人员返乡创业增多，小额经营性贷款需求明显上升。",
        "辖内乡镇常住人口持续减少，老年客户占比已超过三成。",
        "省级高速公路年内通车，沿线物流园区预计带来新的结算业务。",
    ],
    "swot": [
        "网点覆盖全部乡镇，客户基础扎实，是我行最大的优势。",
        "手机银行活跃率偏低，年轻客户流失到互联网平台的趋势需要扭转。",
        "乡村振兴政策和县域产业园建设为对公业务带来新的机会。",
        "国有大行下沉县域，存款定价竞争将进一步加剧。",
        "客户经理队伍年龄偏大，数字化营销能力有待提高。",
        "以代发工资和社保卡为抓手，巩固基础客群。",
    ],
    "target_market": [
        "我们是离农户最近的银行，办事快、审批快、服务到家门口。",
        "重点服务县城个体工商户和新型农业经营主体，做他们的主办银行。",
        "以普惠金融为定位，兼顾中高端客户的财富管理需求。",
        "对产业园区内的中小企业提供结算、代发和融资一揽子服务。",
        "巩固存量老年客户，同时通过代发工资拓展年轻客群。",
    ],
    "products": [
        "全年以惠农贷和商户经营贷为拳头产品，带动存款和结算。",
        "大额存单和养老理财是稳定储蓄存款的重点产品。",
        "社保卡和乡村振兴卡继续作为获客入口，力争新增有效客户三千户。",
        "收单业务以县城商圈为主，配套推广聚合支付码。",
        "代理保险和基金业务严格执行适当性管理，不追求短期规模。",
    ],
    "channels": [
        "物理网点向轻型化转型，两个网点改造为智能服务区。",
        "客户经理每周进村入企不少于两次，建立整村授信档案。",
        "手机银行作为线上主渠道，配合春节和中秋开展营销活动。",
        "与县人社局合作推进代发工资业务，扩大批量获客。",
        "在重点乡镇设立惠农服务点，提供小额取现和缴费服务。",
    ],
    "staffing": [
        "实行全员营销，柜员每日推荐手机银行不少于五户。",
        "客户经理按片区包干，季度通报个人业绩和客户维护情况。",
        "组建重点客户攻坚小组，由行长亲自挂帅。",
        "每月开展一次产品培训，新员工实行师徒结对。",
        "大堂经理负责客户分流和厅堂营销，业绩计入绩效考核。",
    ],
    "incentives": [
        "以模拟利润为核心考核指标，资金转移价格按总行规定执行。",
        "存款按日均余额计算贡献，贷款扣除风险成本后计算利润。",
        "模拟利润按季度计算、年度清算，与绩效工资挂钩。",
        "中间业务收入按实际到账金额计入当期模拟利润。",
        "不良贷款按五级分类计提风险成本，从模拟利润中扣减。",
    ],
}


# --- The pages' forms, read as a browser submits them -------------------------------------


def form_with(html: str, field_name: str) -> list[tuple[str, str]] | None:
    """The page's form that holds ``field_name`` (a section page also has the language
    switch and the log-out form)."""
    for form in page_forms(html):
        if any(name == field_name for name, _value in form):
            return form
    return None


def replace_field(form: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    if not any(n == name for n, _v in form):
        raise KeyError(name)
    return [(n, value if n == name else v) for n, v in form]


ERROR_PATTERNS = (
    re.compile(r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</', re.S),
)


def page_errors(html: str) -> list[str]:
    """What a refused form says went wrong (the field errors and the page's message)."""
    found = []
    for pattern in ERROR_PATTERNS:
        for match in pattern.finditer(html):
            text = re.sub(r"<[^>]+>", " ", match.group(1))
            text = " ".join(text.split())
            if text and text not in found:
                found.append(text)
    return found[:5]


# --- A browser: one cookie jar, no redirects followed, no proxy ---------------------------


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 302 itself is the answer we measure (a save's acknowledgement)


@dataclass
class Response:
    status: int
    location: str
    body: str
    seconds: float
    started: float = 0.0  # when it was sent (time.monotonic), set by fetch()


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(self.base_url))
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # an http_proxy in the environment must not apply
            urllib.request.HTTPCookieProcessor(self.cookies),
            _KeepRedirects(),
        )

    def request(self, path: str, form: list[tuple[str, str]] | None = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base_url + path, data=data)
        request.add_header("Accept-Language", "zh-CN,zh;q=0.9")
        if data is not None:
            request.add_header("Origin", self.origin)  # as a browser sends with a POST
            request.add_header("Referer", self.base_url + path)
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as answer:
                status, headers, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx
            status, headers, raw = answer.code, answer.headers, answer.read()
        seconds = time.perf_counter() - start
        location = urllib.parse.urlsplit(headers.get("Location", "")).path
        return Response(status, location, raw.decode("utf-8", "replace"), seconds)

    def log_in(self, username: str, password: str) -> None:
        page = self.request("/accounts/login/")
        form = form_with(page.body, "csrfmiddlewaretoken")
        if page.status != 200 or form is None:
            raise RuntimeError(f"log-in page answered {page.status}")
        form = [(n, v) for n, v in form if n not in {"username", "password"}]
        form += [("username", username), ("password", password)]
        answer = self.request("/accounts/login/", form)
        if answer.status != 302:
            raise RuntimeError(f"log-in of {username} refused ({answer.status})")


# --- Measurements -------------------------------------------------------------------------

KINDS = ("section page", "save", "review queue", "version page")


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank on sorted samples."""
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class SaveAttempt:
    section: str
    marker: str
    acknowledged: bool = False


@dataclass
class LevelResult:
    managers: int
    reviewers: int
    duration: float
    window: tuple[float, float] = (0.0, 0.0)
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    saves_acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    stored_unacknowledged: int = 0
    checked: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def in_window(self, started: float) -> bool:
        return self.window[0] <= started < self.window[1]

    def record(self, kind: str, started: float, seconds: float) -> None:
        if self.in_window(started):
            with self.lock:
                self.samples[kind].append(seconds * 1000)

    def error(self, kind: str, started: float, why: str) -> None:
        # Errors count whenever they happen (warm-up included): the target is none at all.
        with self.lock:
            self.errors[kind] += 1
            if len(self.error_examples) < 12:
                self.error_examples.append(f"{kind}: {why}")

    def acknowledged(self, started: float) -> None:
        if self.in_window(started):
            with self.lock:
                self.saves_acknowledged += 1

    def stats(self, kind: str) -> tuple[int, float, float, float]:
        ordered = sorted(self.samples.get(kind, []))
        return len(ordered), percentile(ordered, 50), percentile(ordered, 95), max(ordered or [0])

    @property
    def saves_per_second(self) -> float:
        return self.saves_acknowledged / self.duration

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# --- Simulated people ---------------------------------------------------------------------


@dataclass
class Manager:
    number: int
    username: str
    plan: int
    browser: Browser | None = None
    # Per section, the saves tried in order; the checks read the last acknowledged one.
    attempts: dict[str, list[SaveAttempt]] = field(default_factory=lambda: defaultdict(list))
    saves: int = 0


@dataclass
class Reviewer:
    username: str
    browser: Browser | None = None


VERSION_LINK = re.compile(r'href="(/plans/\d+/versions/\d+/)"')


def think(stop: threading.Event, seconds: float) -> bool:
    """Wait like a person reading (±20 %, so people do not march in step); False once the
    level is over."""
    return not stop.wait(seconds * random.uniform(0.8, 1.2))


def new_text(section: str, marker: str) -> str:
    phrases = PHRASES[section]
    chosen = random.sample(phrases, k=random.randint(3, len(phrases)))
    return "".join(chosen) + f"\n（{marker}）"


def fetch(level: LevelResult, kind: str, browser: Browser, path: str, form=None):
    """One measured request; None when it got no answer (refused, reset, timed out), which
    counts as an error of its kind."""
    started = time.monotonic()
    try:
        answer = browser.request(path, form)
    except Exception as error:
        level.error(kind, started, f"{path}: {type(error).__name__}: {error}")
        return None
    answer.started = started
    level.record(kind, started, answer.seconds)
    if answer.status >= 400:
        level.error(kind, started, f"{path} answered {answer.status}")
    return answer


def save_once(manager: Manager, section: str, run_tag: str, level: LevelResult, stop, pause):
    """Open one section of the manager's plan, think, save it back with new text. False
    once the level is over."""
    url = f"/plans/{manager.plan}/sections/{section}/"
    page = fetch(level, "section page", manager.browser, url)
    if page is None or page.status >= 400:
        return think(stop, pause)
    form = form_with(page.body, "revision")
    if page.status != 200 or form is None:
        level.error("section page", page.started, f"{url}: {page.status} {page.location}, no form")
        return think(stop, pause)
    manager.saves += 1
    marker = f"压测{run_tag}-{manager.number:03d}-{manager.saves:04d}"
    try:
        form = replace_field(form, NARRATIVE[section], new_text(section, marker))
    except KeyError:
        level.error("section page", page.started, f"{url} has no field {NARRATIVE[section]}")
        return think(stop, pause)
    # The "save draft" button. A browser then follows the redirect to the page just saved;
    # here the next round's page (the next section) stands for it: one page, one save.
    form.append(("then", "stay"))
    if not think(stop, pause):
        return False  # the level ended while this person was typing: nothing sent
    attempt = SaveAttempt(section, marker)
    manager.attempts[section].append(attempt)
    answer = fetch(level, "save", manager.browser, url, form)
    if answer is None or answer.status >= 400:
        return True
    if answer.status == 302 and answer.location == url:
        attempt.acknowledged = True
        level.acknowledged(answer.started)
    elif answer.status == 200:  # the form again: refused, and the page says why
        why = "; ".join(page_errors(answer.body)) or "form shown again"
        level.error("save", answer.started, f"{url} refused: {why}")
    else:
        level.error("save", answer.started, f"{url} answered {answer.status} {answer.location}")
    return True


def run_manager(manager: Manager, run_tag: str, level: LevelResult, stop, pause: float):
    sections = list(NARRATIVE)
    position = random.randrange(len(sections))  # each person starts somewhere else
    if not think(stop, random.uniform(0, pause)):  # arrive spread over one think time
        return
    while save_once(manager, sections[position % len(sections)], run_tag, level, stop, pause):
        position += 1


def run_reviewer(reviewer: Reviewer, level: LevelResult, stop, pause: float):
    if not think(stop, random.uniform(0, pause)):
        return
    while True:
        queue = fetch(level, "review queue", reviewer.browser, "/reviews/")
        if queue is not None and queue.status < 400:
            links = VERSION_LINK.findall(queue.body)
            if queue.status != 200 or not links:
                why = f"{queue.status} {queue.location}, {len(links)} versions listed"
                level.error("review queue", queue.started, f"{reviewer.username}: {why}")
            else:
                version = fetch(level, "version page", reviewer.browser, random.choice(links))
                if version is not None and version.status != 200 and version.status < 400:
                    why = f"{version.status} {version.location}"
                    level.error("version page", version.started, why)
        if not think(stop, pause):
            return


def log_in_all(people, base_url: str, usernames_done: set, level: LevelResult) -> None:
    """Log in whoever has no session yet, a few at a time: the password hash is slow on
    purpose, and a crowd of log-ins is not what this benchmark measures."""
    todo = [p for p in people if p.username not in usernames_done]
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not todo:
                    return
                person = todo.pop()
            person.browser = Browser(base_url)
            started = time.monotonic()
            try:
                person.browser.log_in(person.username, PASSWORD)
                with lock:
                    usernames_done.add(person.username)
            except Exception as error:
                level.error("log-in", started, f"{person.username}: {error}")

    threads = [threading.Thread(target=work, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- CPU accounting: who used the two cores during a level --------------------------------


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by the processes of each process group (web, worker), by
    PostgreSQL, by this load generator, and by the whole machine (other people's tests
    included), read from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    used = Counter()
    by_group = {pgid: name for name, pgid in groups.items()}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # gone meanwhile
        comm = text[text.index("(") + 1 : text.rindex(")")]
        rest = text[text.rindex(")") + 2 :].split()
        pgrp = int(rest[2])
        # utime, stime, and the children this process has waited for (PDF renders).
        seconds = sum(int(value) for value in rest[11:15]) / tick
        if pgrp in by_group:
            used[by_group[pgrp]] += seconds
        elif comm == "postgres":
            # The server's backends for every database (other people's tests included):
            # a backend that has exited is only seen in its parent's children times.
            used["postgres (all databases)"] += seconds
    rusage = os.times()
    used["load generator"] = rusage.user + rusage.system
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    used["machine busy"] = (sum(values[:8]) - idle) / tick
    return dict(used)


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after.get(name, 0) - before.get(name, 0) for name in after}


# --- Running one level --------------------------------------------------------------------


def run_level(managers, reviewers, options, run_tag, logged_in, groups) -> LevelResult:
    level = LevelResult(len(managers), len(reviewers), options.duration)
    began = time.monotonic()
    log_in_all([*managers, *reviewers], options.base_url, logged_in, level)
    print(
        f"\n-- {len(managers)} managers, {len(reviewers)} reviewers: logged in "
        f"({time.monotonic() - began:.0f} s), running {options.warmup + options.duration:.0f} s",
        flush=True,
    )
    stop = threading.Event()
    start = time.monotonic()
    # Requests that start within the window are measured; the warm-up lets everyone arrive.
    level.window = (start + options.warmup, start + options.warmup + options.duration)
    threads = [
        threading.Thread(
            target=run_manager, args=(m, run_tag, level, stop, options.think), daemon=True
        )
        for m in managers
    ]
    threads += [
        threading.Thread(target=run_reviewer, args=(r, level, stop, options.think), daemon=True)
        for r in reviewers
    ]
    for thread in threads:
        thread.start()
    time.sleep(options.warmup)
    cpu_before = cpu_seconds(groups)
    time.sleep(options.duration)
    level.cpu = cpu_delta(cpu_before, cpu_seconds(groups))
    stop.set()
    for thread in threads:  # requests in flight finish; nobody starts a new one
        thread.join(HTTP_TIMEOUT + 5)
    return level


# --- Inside Django (run in a subprocess with the benchmark's settings) --------------------


def django_main(command: str) -> None:
    """``load.py --internal seed|verify|tasks``: reads JSON on stdin, writes JSON on the
    last line of stdout. The benchmark itself never imports Django, so it can target any
    server; these run with the same environment as the server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankplan.settings")
    import django

    django.setup()
    spec = json.loads(sys.stdin.read() or "{}")
    result = {"seed": seed_bank, "verify": verify_saves, "tasks": task_counts}[command](spec)
    print(json.dumps(result))


def seed_bank(spec: dict) -> dict:
    """The demo bank, then regions LOAD-Rnn each with a reviewer, ten managers' branches
    and submitted branches, every plan a copy of the demo's complete plan."""
    from django.core.management import call_command

    from bankplan.organisation.models import User

    call_command("load_demo", verbosity=0)
    started = time.monotonic()
    existing = User.objects.filter(username__startswith="load-m").count()
    if not existing:
        create_bank(spec)
    elif existing < spec["managers"]:
        raise SystemExit(
            f"The database holds {existing} load managers, fewer than {spec['managers']}: "
            "seed it again (run without --url, or drop the database)."
        )
    return describe_bank() | {"seconds": round(time.monotonic() - started, 1)}


def create_bank(spec: dict) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from bankplan.organisation.models import Membership, Role, Unit, UnitKind, User
    from bankplan.plans.models import Plan, Status
    from bankplan.reviews.services import submission_gaps, submit_plan

    template = next(
        (p for p in Plan.objects.filter(status=Status.DRAFT) if not submission_gaps(p)), None
    )
    if template is None:
        raise SystemExit("No complete plan to copy: load the demo bank (fixtures/demo.json).")
    head = Unit.objects.get(kind=UnitKind.HEAD_OFFICE)
    password = make_password(PASSWORD)  # hashed once: the slow hasher is slow on purpose
    regions = spec["reviewers"]
    per_region = math.ceil(spec["managers"] / regions)

    def person(username, name):
        return User(username=username, full_name=name, password=password)

    with transaction.atomic():
        region_units = Unit.objects.bulk_create(
            Unit(code=f"LOAD-R{r:02d}", name=f"压测第{r}分行", kind=UnitKind.REGION, parent=head)
            for r in range(1, regions + 1)
        )
        branches, people, roles, submitters = [], [], [], []
        for r, region in enumerate(region_units, start=1):
            reviewer = person(f"load-r{r:02d}", f"审核员{r:02d}")
            people.append(reviewer)
            roles.append((reviewer, region, Role.REGIONAL_REVIEWER))
            numbers = range((r - 1) * per_region + 1, min(r * per_region, spec["managers"]) + 1)
            owners = [(f"load-m{n:03d}", f"行长{n:03d}", f"LOAD-B{n:03d}") for n in numbers]
            owners += [
                (f"load-s{r:02d}{s}", f"已提交行长{r:02d}{s}", f"LOAD-S{r:02d}{s}")
                for s in range(1, spec["submitted"] + 1)
            ]
            for username, name, code in owners:
                branch = Unit(code=code, name=f"{name}支行", kind=UnitKind.BRANCH, parent=region)
                manager = person(username, name)
                branches.append(branch)
                people.append(manager)
                roles.append((manager, branch, Role.BRANCH_MANAGER))
                if username.startswith("load-s"):
                    submitters.append((branch, manager))
        Unit.objects.bulk_create(branches)
        User.objects.bulk_create(people)
        Membership.objects.bulk_create(
            Membership(user=user, unit=unit, role=role) for user, unit, role in roles
        )
        owner_of = {unit.pk: user for user, unit, role in roles if role == Role.BRANCH_MANAGER}
        plans = copy_plan(template, [(branch, owner_of[branch.pk]) for branch in branches])
    by_branch = {plan.branch_id: plan for plan in plans}
    for branch, manager in submitters:
        # The real service: the version, its snapshot, and its PDF (a task for the worker).
        submit_plan(plan_id=by_branch[branch.pk].pk, by=manager)


def copy_plan(template, owners) -> list:
    """Copies of ``template`` for each (branch, manager), a few bulk inserts per table.
    Rows that point to rows of the same plan (a product line's segment, a strategy's SWOT
    items) point to the copy's own rows."""
    from bankplan.plans.models import Plan
    from bankplan.plans.sections.registry import SECTIONS

    plans = Plan.objects.bulk_create(
        Plan(cycle=template.cycle, branch=branch, created_by=manager) for branch, manager in owners
    )
    copied = {}  # row model -> one {template pk: copy pk} per plan
    for section in SECTIONS:
        original = section.model.objects.get(plan=template)
        contents = section.model.objects.bulk_create(
            clone(original, plan_id=plan.pk, revision=0) for plan in plans
        )
        for table in section.tables:
            model, parent = table.row_model, table.formset.fk.attname
            rows = list(model.objects.filter(**{parent: original.pk}).order_by("pk"))
            links = {
                f.attname: copied[f.related_model]
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in copied
            }
            new_rows = [
                clone(
                    row,
                    **{parent: content.pk},
                    **{name: ids[i][getattr(row, name)] for name, ids in links.items()},
                )
                for i, content in enumerate(contents)
                for row in rows
            ]
            model.objects.bulk_create(new_rows)  # PostgreSQL returns the new ids in order
            n = len(rows)
            copied[model] = [
                {
                    row.pk: new.pk
                    for row, new in zip(rows, new_rows[i * n : (i + 1) * n], strict=True)
                }
                for i in range(len(plans))
            ]
            for m2m in model._meta.many_to_many:
                copy_links(m2m, rows, copied, len(plans))
    return plans


def clone(instance, **changes):
    values = {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if not f.primary_key
    }
    return type(instance)(**(values | changes))


def copy_links(m2m, rows, copied, plans: int) -> None:
    through = m2m.remote_field.through
    own, other = m2m.m2m_column_name(), m2m.m2m_reverse_name()
    links = list(through.objects.filter(**{f"{own}__in": [row.pk for row in rows]}))
    own_ids, other_ids = copied[m2m.model], copied[m2m.related_model]
    through.objects.bulk_create(
        through(**{own: own_ids[i][getattr(link, own)], other: other_ids[i][getattr(link, other)]})
        for i in range(plans)
        for link in links
    )


def describe_bank() -> dict:
    from bankplan.organisation.models import Membership, Role
    from bankplan.plans.models import Plan
    from bankplan.reviews.models import Version

    managers = []
    for membership in (
        Membership.objects.filter(role=Role.BRANCH_MANAGER, user__username__startswith="load-m")
        .select_related("user")
        .order_by("user__username")
    ):
        plan = Plan.objects.filter(branch_id=membership.unit_id).order_by("-cycle__year").first()
        managers.append({"username": membership.user.username, "plan": plan.pk})
    reviewers = list(
        Membership.objects.filter(role=Role.REGIONAL_REVIEWER, user__username__startswith="load-r")
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    versions = Version.objects.filter(plan__branch__code__startswith="LOAD-").count()
    return {"managers": managers, "reviewers": reviewers, "versions": versions}


def verify_saves(spec: dict) -> dict:
    """Each check names a plan's section and the marker of its last acknowledged save; it
    must be in the stored text. A later save that got no answer (a timeout) may have been
    stored instead: that is not a loss, and is counted apart."""
    from bankplan.plans.sections.registry import get_section

    lost, unacknowledged = [], 0
    by_section = defaultdict(list)
    for check in spec["checks"]:
        by_section[check["section"]].append(check)
    for key, checks in by_section.items():
        section = get_section(key)
        name = NARRATIVE[key]
        stored = dict(
            section.model.objects.filter(plan_id__in=[c["plan"] for c in checks]).values_list(
                "plan_id", name
            )
        )
        for check in checks:
            text = stored.get(check["plan"]) or ""
            if check["expect"] in text:
                continue
            if any(marker in text for marker in check["later"]):
                unacknowledged += 1
            else:
                lost.append(f"plan {check['plan']} {key}.{name}: {check['expect']} missing")
    return {"checked": len(spec["checks"]), "lost": lost, "unacknowledged": unacknowledged}


def task_counts(spec: dict) -> dict:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# --- Processes: the database, the Procfile's lines ----------------------------------------


def procfile() -> dict[str, str]:
    lines = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and ":" in line:
            name, command = line.split(":", 1)
            lines[name.strip()] = command.strip()
    missing = {"web", "worker", "release"} - lines.keys()
    if missing:
        raise SystemExit(f"Procfile has no {', '.join(sorted(missing))} line")
    return lines


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    """Drop and create the benchmark's database (FORCE: a crashed run may have left
    connections). Only a database named for the benchmark: this is a DROP."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"\w*(load|bench)\w*", name):
        raise SystemExit(f"Refusing to drop database {name!r}: its name must contain load/bench")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(options, rundir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=options.database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        PORT=str(options.port),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        # Files of the run stay in the run's directory, not in the shared working tree.
        STATIC_ROOT=str(rundir / "static"),
        MEDIA_ROOT=str(rundir / "media"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py and wsgi.py name ours
    return env


def run_shell(name: str, command: str, env: dict, rundir: Path) -> None:
    log = rundir / f"{name}.log"
    with log.open("w") as out:
        done = subprocess.run(
            ["/bin/sh", "-c", command], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{tail(log)}")


def start_shell(name: str, command: str, env: dict, rundir: Path) -> subprocess.Popen:
    """A Procfile line in a shell of its own process group, so stopping it stops the
    gunicorn workers and the PDF render processes under it too."""
    out = (rundir / f"{name}.log").open("w")
    return subprocess.Popen(
        ["/bin/sh", "-c", command],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def django_call(command: str, spec: dict, env: dict) -> dict:
    done = subprocess.run(
        [str(VENV_BIN / "python"), str(Path(__file__).resolve()), "--internal", command],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    if done.returncode:
        raise SystemExit(f"{command} failed:\n{done.stderr[-3000:]}{done.stdout[-1000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_until_serving(base_url: str, processes: dict, rundir: Path, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                log = tail(rundir / f"{name}.log")
                raise SystemExit(f"{name} exited ({process.returncode}):\n{log}")
        try:
            status = Browser(base_url).request("/accounts/login/").status
        except OSError:
            status = None  # not listening yet
        if status == 200:
            return
        if status is not None and status >= 500:  # the app itself is broken: say why now
            raise SystemExit(f"/accounts/login/ answered {status}:\n{tail(rundir / 'web.log')}")
        time.sleep(0.5)
    raise SystemExit(f"The server did not answer within {limit:.0f} s:\n{tail(rundir / 'web.log')}")


def wait_for_tasks(env: dict, limit: float) -> str:
    """Let the worker render the seeded versions' PDFs before measuring, so the first
    level is not also the worker's catch-up."""
    started = time.monotonic()
    while True:
        counts = django_call("tasks", {}, env)
        waiting = counts.get("READY", 0) + counts.get("RUNNING", 0)
        if not waiting or time.monotonic() - started > limit:
            break
        time.sleep(2)
    spent = time.monotonic() - started
    return f"tasks {counts or 'none'}, waited {spent:.0f} s"


# --- Reports ------------------------------------------------------------------------------


def print_level(level: LevelResult, options) -> None:
    print(
        f"\n== {level.managers} managers, {level.reviewers} reviewers: "
        f"{options.duration:.0f} s measured after {options.warmup:.0f} s warm-up =="
    )
    print(f"saves acknowledged: {level.saves_acknowledged} = {level.saves_per_second:.2f} saves/s")
    print(f"{'request':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind in KINDS:
        count, p50, p95, top = level.stats(kind)
        print(f"{kind:<14}{count:>7}{p50:>9.0f}{p95:>9.0f}{top:>9.0f}{level.errors[kind]:>8}")
    others = {k: v for k, v in level.errors.items() if k not in KINDS}
    print(f"errors: {level.error_count}" + (f" (of which {others})" if others else ""))
    for example in level.error_examples:
        print(f"  {example}")
    print(
        f"lost saves: {len(level.lost)} (checked the last acknowledged save of "
        f"{level.checked} manager sections)"
        + (
            f"; {level.stored_unacknowledged} stored a later unanswered save"
            if level.stored_unacknowledged
            else ""
        )
    )
    for lost in level.lost[:20]:
        print(f"  LOST {lost}")
    if level.cpu:
        seconds = options.duration
        shares = ", ".join(
            f"{name} {100 * used / seconds:.0f}%"
            for name, used in level.cpu.items()
            if name != "machine busy"
        )
        cores = os.cpu_count() or 1
        busy = 100 * level.cpu.get("machine busy", 0) / seconds
        ours = sum(used for name, used in level.cpu.items() if name != "machine busy")
        others = 100 * (level.cpu.get("machine busy", 0) - ours) / seconds
        print(
            f"CPU (100% = one core, {cores} cores): machine {busy:.0f}%; {shares}; "
            f"other processes ({'not this benchmark' if 'web' in level.cpu else 'the server'}) "
            f"{others:.0f}%"
        )
        requests = sum(len(samples) for samples in level.samples.values())
        if requests and "web" in level.cpu:
            # Robust to a shared machine, unlike the times: what one request costs the server.
            per_request = 1000 * level.cpu["web"] / requests
            print(f"  web CPU per request: {per_request:.0f} ms ({requests} requests measured)")
        if others > 25 and "web" in level.cpu:
            print("  NOTE: the machine was shared during this level; the times are pessimistic")


def print_summary(levels: list[LevelResult]) -> None:
    print("\n== Summary ==")
    print(
        f"{'managers':>8}{'reviewers':>10}{'saves/s':>9}"
        f"{'save p50':>10}{'save p95':>10}{'save max':>10}"
        f"{'page p95':>10}{'queue p95':>10}{'version p95':>12}{'errors':>8}{'lost':>6}"
    )
    for level in levels:
        save = level.stats("save")
        print(
            f"{level.managers:>8}{level.reviewers:>10}{level.saves_per_second:>9.2f}"
            f"{save[1]:>10.0f}{save[2]:>10.0f}{save[3]:>10.0f}"
            f"{level.stats('section page')[2]:>10.0f}{level.stats('review queue')[2]:>10.0f}"
            f"{level.stats('version page')[2]:>12.0f}{level.error_count:>8}{len(level.lost):>6}"
        )
    over = next((lv.managers for lv in levels if lv.stats("save")[2] > 1000), None)
    print(
        "save p95 first passes 1 s at: "
        + (f"{over} managers" if over else f"not reached (up to {levels[-1].managers} managers)")
    )
    errors, lost = sum(lv.error_count for lv in levels), sum(len(lv.lost) for lv in levels)
    print(f"errors at every level: {errors} (target 0); lost saves: {lost} (target 0)")
    at25 = next((lv for lv in levels if lv.managers == 25), None)
    if at25:
        p95 = at25.stats("save")[2]
        verdict = "met" if p95 < 500 else "NOT met"
        print(f"save p95 at 25 managers: {p95:.0f} ms (target under 500 ms: {verdict})")


# --- The run ------------------------------------------------------------------------------


def verify(level: LevelResult, managers: list[Manager], env: dict) -> None:
    checks = []
    for manager in managers:
        for section, attempts in manager.attempts.items():
            acked = [i for i, a in enumerate(attempts) if a.acknowledged]
            if not acked:
                continue
            later = [a.marker for a in attempts[acked[-1] + 1 :]]
            checks.append(
                {
                    "plan": manager.plan,
                    "section": section,
                    "expect": attempts[acked[-1]].marker,
                    "later": later,
                }
            )
    result = django_call("verify", {"checks": checks}, env)
    level.checked, level.lost = result["checked"], result["lost"]
    level.stored_unacknowledged = result["unacknowledged"]


def benchmark(options) -> list[LevelResult]:
    rundir = Path(tempfile.mkdtemp(prefix="bankplan-load-"))
    top = max(options.levels)
    reviewers_needed = max(1, math.ceil(top / 10))
    processes: dict[str, subprocess.Popen] = {}
    options.port = free_port()
    env = server_environment(options, rundir)
    if not options.url:
        print(f"run directory (server logs): {rundir}")
    try:
        if options.url:
            options.base_url = options.url
        else:
            options.base_url = f"http://127.0.0.1:{options.port}"
            lines = procfile()
            started = time.monotonic()
            recreate_database(options.database_url)
            run_shell("release", lines["release"], env, rundir)
            print(f"database {options.database_url} created, release line run")
            print(f"  ({time.monotonic() - started:.1f} s: {lines['release']})")
        spec = {"managers": top, "reviewers": reviewers_needed, "submitted": options.submitted}
        bank = django_call("seed", spec, env)
        print(
            f"seeded in {bank['seconds']} s: {len(bank['managers'])} managers with a complete "
            f"plan each, {len(bank['reviewers'])} reviewers, {bank['versions']} submitted versions"
        )
        if not options.url:
            for name in ("web", "worker"):
                processes[name] = start_shell(name, lines[name], env, rundir)
                print(f"started {name}: {lines[name]}")
            wait_until_serving(options.base_url, processes, rundir)
        print(f"serving at {options.base_url}; {wait_for_tasks(env, options.task_wait)}")
        health = Browser(options.base_url).request("/healthz")
        print(f"/healthz: {health.status} {health.body.strip()}")
        groups = {name: process.pid for name, process in processes.items()}
        return drive(options, bank, env, groups)
    finally:
        for process in processes.values():
            stop(process)
        if processes:
            print(f"stopped {', '.join(processes)}; logs in {rundir}")


def drive(options, bank: dict, env: dict, groups: dict) -> list[LevelResult]:
    run_tag = secrets.token_hex(2)
    managers = [Manager(i + 1, m["username"], m["plan"]) for i, m in enumerate(bank["managers"])]
    reviewers = [Reviewer(username) for username in bank["reviewers"]]
    logged_in: set[str] = set()
    results = []
    for count in options.levels:
        level_managers = managers[:count]
        level_reviewers = reviewers[: max(1, math.ceil(count / 10))]
        level = run_level(level_managers, level_reviewers, options, run_tag, logged_in, groups)
        verify(level, level_managers, env)
        print_level(level, options)
        results.append(level)
    print_summary(results)
    return results


def parse_options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--levels",
        default="10,25,50,100",
        type=lambda text: [int(n) for n in text.split(",")],
        help="numbers of simulated branch managers, one level after the other",
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per level")
    parser.add_argument(
        "--warmup", type=float, default=None, help="seconds before measuring (default: --think)"
    )
    parser.add_argument("--think", type=float, default=10, help="seconds a person thinks")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's PostgreSQL database (dropped and created unless --url)",
    )
    parser.add_argument("--url", help="target this running server instead of starting one")
    parser.add_argument(
        "--submitted", type=int, default=1, help="submitted plans per region for reviewers"
    )
    parser.add_argument(
        "--task-wait", type=float, default=120, help="seconds to wait for seeded PDF renders"
    )
    parser.add_argument("--internal", choices=["seed", "verify", "tasks"], help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.warmup is None:
        options.warmup = options.think
    return options


def interrupt(signum, frame):
    # SIGTERM ends the run like Ctrl-C does: through the finally that stops the servers.
    raise KeyboardInterrupt


def main() -> None:
    options = parse_options()
    if options.internal:
        django_main(options.internal)
        return
    signal.signal(signal.SIGTERM, interrupt)
    # Also when started in the background by a shell, which leaves SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        benchmark(options)
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
