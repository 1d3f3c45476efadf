"""Every write to the project pipeline: one transaction each, with its history row; the unit's
running totals (done this year, done in all, last month reported) kept on the project row."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.validation import bounded_text
from taizhang.ledger import permissions as ledger_permissions
from taizhang.ledger.errors import ConflictError, NotAllowed
from taizhang.ledger.evidence_files import Upload, check_and_store, discard
from taizhang.ledger.models import Kind, Problem, Source
from taizhang.ledger.services import record_problem
from taizhang.notifications.services import notify
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import DECIDE_ROLES, holders, path_filter, scope_of
from taizhang.projects.models import (
    STAGE_DATES,
    STAGES,
    ChangeStatus,
    Need,
    Pool,
    Project,
    ProjectEvent,
    ProjectKind,
    ProjectReport,
    ProjectStatus,
    Stage,
    StageChange,
    StageEvidence,
)
from taizhang.projects.schedule import due_date, first_of, late_month, owed_month, unreported_q

EVIDENCE_TYPES_NOTE = "pdf, jpg, png, doc, docx"
MAX_AMOUNT = Decimal("999999999999")  # 万元: fits the columns, far beyond any real project


class ProjectConflict(ConflictError):
    def __init__(self, current_version: int | None = None) -> None:
        super().__init__(current_version)
        self.args = (_("该项目已被他人修改,您的操作未保存。请刷新页面查看最新内容后重试。"),)

    def __str__(self) -> str:
        return str(self.args[0])


# Who may do what ------------------------------------------------------------------------------


def visible_projects(user: object, campaign: Campaign | None = None) -> QuerySet[Project]:
    """Projects of the user's subtrees (every role reads)."""
    scope = scope_of(user)
    projects = Project.objects.all()
    if campaign is not None:
        projects = projects.filter(campaign=campaign)
    if scope.is_superuser or (campaign is not None and scope.reaches(campaign.org.path)):
        return projects
    return projects.filter(path_filter("org_path", scope.paths()))


def can_manage(user: object, org: Org) -> bool:
    """Enter and report: the unit's own handlers and admins, admins above it, the office."""
    return ledger_permissions.can_record_for(user, org)


def can_confirm(user: object, project: Project) -> bool:
    """Confirm a stage: a leader or the office a level above the project's unit."""
    return scope_of(user).reaches_from_above(project.org_path, DECIDE_ROLES)


def can_urge(user: object, project: Project) -> bool:
    """催办: the office, and leaders a level above."""
    return can_confirm(user, project)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _current(project: Project, version: int | None) -> Project:
    """The project locked for this step; a step decided on an old copy is a conflict."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if version is not None and locked.version != version:
        raise ProjectConflict(locked.version)
    if locked.status == ProjectStatus.VOID:
        raise ValidationError(_("项目已作废,不能再办理。"))
    return locked


def _log(project: Project, action: str, by: Any, note: str = "", **data: Any) -> None:
    ProjectEvent.objects.create(
        project=project, action=action, by=by, at=timezone.now(), note=note, data=data
    )


# What a project is --------------------------------------------------------------------------


@dataclass
class ProjectData:
    """A project's own fields as a form, the import or the API give them."""

    name: str
    org: Org
    year: int
    investment_total: Decimal
    investment_annual: Decimal = Decimal(0)
    number: str = ""
    leader: str = ""
    industry: str = ""
    kind: str = ProjectKind.INDUSTRY
    pool: str = Pool.KEY
    location: str = ""
    content: str = ""
    sign_planned: dt.date | None = None
    start_planned: dt.date | None = None
    finish_planned: dt.date | None = None
    needs: Sequence[str] = ()
    needs_note: str = ""


EDITABLE = [f.name for f in fields(ProjectData) if f.name not in ("number",)]


def amount(value: object, label: str) -> Decimal:
    """An amount in 万元 as people type it: digits, commas, a decimal point; never negative."""
    text = str(value if value is not None else "").strip().replace(",", "").replace(",", "")
    if not text:
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("%(f)s应为数字(万元),而不是“%(v)s”。") % {"f": label, "v": text}
        ) from None
    if not number.is_finite() or number < 0:
        raise ValidationError(_("%(f)s不能为负数。") % {"f": label})
    if number > MAX_AMOUNT:
        raise ValidationError(_("%(f)s过大,请以万元为单位填写。") % {"f": label})
    return number.quantize(Decimal("0.01"))


def _clean(campaign: Campaign, data: ProjectData) -> dict[str, Any]:
    if not data.org.path.startswith(campaign.org.path):
        raise ValidationError(_("单位“%(o)s”不在本活动范围内。") % {"o": data.org.name})
    if not 2000 <= int(data.year) <= 2100:
        raise ValidationError(_("年度应为四位年份。"))
    if data.kind not in ProjectKind.values:
        raise ValidationError(_("项目类型“%(k)s”无效。") % {"k": data.kind})
    if data.pool not in Pool.values:
        raise ValidationError(_("项目库“%(k)s”无效。") % {"k": data.pool})
    unknown = [n for n in data.needs if n not in Need.values]
    if unknown:
        raise ValidationError(_("要素保障需求“%(k)s”无效。") % {"k": "、".join(unknown)})
    total = amount(data.investment_total, _("总投资"))
    annual = amount(data.investment_annual, _("年度计划投资"))
    if total <= 0:
        raise ValidationError(_("请填写总投资(万元),应大于 0。"))
    if annual > total:
        raise ValidationError(
            _("年度计划投资(%(a)s 万元)不能大于总投资(%(t)s 万元)。") % {"a": annual, "t": total}
        )
    if data.start_planned and data.finish_planned and data.finish_planned < data.start_planned:
        raise ValidationError(_("计划竣工日期不能早于计划开工日期。"))
    return {
        "name": bounded_text(data.name, _("项目名称"), 200, required=True),
        "org": data.org,
        "org_path": data.org.path,
        "year": int(data.year),
        "investment_total": total,
        "investment_annual": annual,
        "leader": bounded_text(data.leader, _("包联领导"), 60),
        "industry": bounded_text(data.industry, _("所属行业"), 40),
        "kind": data.kind,
        "pool": data.pool,
        "location": bounded_text(data.location, _("建设地点"), 200),
        "content": bounded_text(data.content, _("建设内容"), 4000),
        "sign_planned": data.sign_planned,
        "start_planned": data.start_planned,
        "finish_planned": data.finish_planned,
        "needs": ",".join(n for n in Need.values if n in data.needs),
        "needs_note": bounded_text(data.needs_note, _("要素保障说明"), 2000),
    }


class Numbers:
    """The campaign's project numbers, read once: which are taken, and the next free one of a
    year (XM2026-0001 …), so that a whole table can be numbered without a query per row."""

    def __init__(self, campaign: Campaign) -> None:
        self.taken = set(Project.objects.filter(campaign=campaign).values_list("number", flat=True))

    def next(self, year: int) -> str:
        prefix = f"XM{year}-"
        numbers = [n[len(prefix) :] for n in self.taken if n.startswith(prefix)]
        highest = max((int(n) for n in numbers if n.isdigit()), default=0)
        return f"{prefix}{highest + 1:04d}"

    def claim(self, written: str, year: int) -> str:
        number = bounded_text(written, _("项目编号"), 30) or self.next(year)
        if number in self.taken:
            raise ValidationError(_("项目编号“%(n)s”已存在。") % {"n": number})
        self.taken.add(number)
        return number


# What an imported table may state as it stands (导入), beside the project's own fields.
AS_IT_STANDS = ("stage", "signed_on", "started_on", "finished_on", "done_year", "done_total",
                "progress_note")  # fmt: skip


def new_project(
    campaign: Campaign,
    data: ProjectData,
    *,
    by: Any,
    numbers: Numbers,
    stage: str = Stage.PLANNING,
    as_it_stands: Mapping[str, Any] | None = None,
) -> Project:
    """A project checked and numbered, not yet saved (`save_new` saves it): every rule of
    entering one, without touching the database, so that a table is checked row by row."""
    _require(can_manage(by, data.org), _("您无权为“%(o)s”登记项目。") % {"o": data.org.name})
    values = _clean(campaign, data)
    stood = _stood({"stage": stage, **(as_it_stands or {})}, values["investment_total"])
    number = numbers.claim(data.number, values["year"])
    return Project(campaign=campaign, number=number, created_at=timezone.now(), created_by=by,
                   **values, **stood)  # fmt: skip


def _stood(values: Mapping[str, Any], total: Decimal) -> dict[str, Any]:
    """What a table states as it stands, checked: a known stage, never more done than the
    project's total."""
    stood = {k: v for k, v in values.items() if k in AS_IT_STANDS}
    if "stage" in stood and stood["stage"] not in STAGES:
        raise ValidationError(_("项目阶段“%(s)s”无效。") % {"s": stood["stage"]})
    if stood.get("done_total", Decimal(0)) > total:
        raise ValidationError(
            _("累计完成投资将达 %(d)s 万元,超过总投资 %(t)s 万元;请核对金额或先调整总投资。")
            % {"d": stood["done_total"], "t": total}
        )
    return stood


def stands_apart(project: Project, as_it_stands: Mapping[str, Any]) -> bool:
    """Whether a table's stage, dates, amounts done or 形象进度 differ from the project's."""
    return any(getattr(project, k) != v for k, v in as_it_stands.items() if k in AS_IT_STANDS)


@transaction.atomic
def take_as_it_stands(project: Project, as_it_stands: Mapping[str, Any], *, by: Any) -> bool:
    """An existing project brought to what an office's table states (导入, not confirmed by
    the level above); whether anything changed."""
    _require(can_manage(by, project.org), _("您无权修改该项目。"))
    locked = _current(project, None)
    stood = _stood(as_it_stands, locked.investment_total)
    changed = {k: str(v) for k, v in stood.items() if getattr(locked, k) != v}
    if not changed:
        return False
    Project.objects.filter(pk=locked.pk).update(version=F("version") + 1, **stood)
    _log(locked, "imported", by, **changed)
    return True


@transaction.atomic
def save_new(projects: Sequence[Project], *, by: Any, imported: bool = False) -> list[Project]:
    """Save projects made by `new_project`, with their history, in one transaction;
    `imported`: brought in as their table stands (the history says 导入)."""
    saved = Project.objects.bulk_create(projects, batch_size=500)
    now = timezone.now()
    ProjectEvent.objects.bulk_create(
        (
            ProjectEvent(
                project=p, by=by, at=now,
                action="imported" if imported else "created",
                data={k: str(getattr(p, k)) for k in AS_IT_STANDS if getattr(p, k)},
            )
            for p in saved
        ),
        batch_size=1000,
    )  # fmt: skip
    return saved


def create_project(
    campaign: Campaign,
    data: ProjectData,
    *,
    by: Any,
    stage: str = Stage.PLANNING,
    as_it_stands: Mapping[str, Any] | None = None,
) -> Project:
    """Enter a project. `as_it_stands`: the stage, actual dates, investment done and 形象进度
    an office's table records, for a pipeline brought in as it is (the import); the history
    marks them as imported, not as confirmed by the level above."""
    imported = as_it_stands is not None
    try:
        project = new_project(campaign, data, by=by, numbers=Numbers(campaign), stage=stage,
                              as_it_stands=as_it_stands)  # fmt: skip
        return save_new([project], by=by, imported=imported)[0]
    except IntegrityError:
        # Someone took the same number a moment ago: number it again from what is there now.
        project = new_project(campaign, data, by=by, numbers=Numbers(campaign), stage=stage,
                              as_it_stands=as_it_stands)  # fmt: skip
        return save_new([project], by=by, imported=imported)[0]


def changes(project: Project, data: ProjectData) -> dict[str, tuple[str, str]]:
    """What `data` would change in the project: field → (before, after); checked like an
    edit (a table's unchanged rows are told apart without a write)."""
    values = _clean(project.campaign, data)
    return {
        k: (str(getattr(project, k)), str(v))
        for k, v in values.items()
        if k != "org" and getattr(project, k) != v
    }


@transaction.atomic
def update_project(project: Project, data: ProjectData, *, by: Any, version: int) -> Project:
    _require(can_manage(by, project.org), _("您无权修改该项目。"))
    locked = _current(project, version)
    values = _clean(locked.campaign, data)
    if values["investment_total"] < locked.done_total:
        raise ValidationError(
            _("总投资(%(t)s 万元)不能小于已累计完成的投资(%(d)s 万元)。")
            % {"t": values["investment_total"], "d": locked.done_total}
        )
    if values["org"].pk != locked.org_id:
        _require(
            can_manage(by, values["org"]),
            _("您无权把项目移交给“%(o)s”。") % {"o": values["org"].name},
        )
    changed = changes(locked, data)
    if not changed:
        return locked
    if "year" in changed:
        values["done_year"] = _done_in_year(locked, values["year"])
    for k, v in values.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save()
    _log(locked, "edited", by, changed=changed)
    return locked


@transaction.atomic
def void_project(project: Project, *, by: Any, version: int, reason: str) -> Project:
    _require(can_manage(by, project.org), _("您无权作废该项目。"))
    locked = _current(project, version)
    reason = bounded_text(reason, _("作废原因"), 500, required=True)
    locked.status = ProjectStatus.VOID
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    StageChange.objects.filter(project=locked, status=ChangeStatus.PENDING).update(
        status=ChangeStatus.RETURNED, decided_by=by, decided_at=timezone.now(),
        decision_note=_("项目已作废"),
    )  # fmt: skip
    _log(locked, "voided", by, note=reason)
    return locked


# Monthly reports ------------------------------------------------------------------------------


def _done_in_year(project: Project, year: int) -> Decimal:
    total = project.reports.filter(month__year=year).aggregate(s=Sum("done"))["s"]
    return total or Decimal(0)


@transaction.atomic
def report_month(
    project: Project,
    *,
    by: Any,
    month: dt.date,
    done: object,
    progress_note: str,
    version: int | None = None,
) -> ProjectReport:
    """The month's report: investment completed in the month (万元) and 形象进度. A month
    reported again replaces its earlier figure (the history keeps both)."""
    _require(can_manage(by, project.org), _("您无权为该项目报送。"))
    locked = _current(project, version)
    month = first_of(month)
    today = timezone.localdate()
    if month > first_of(today):
        raise ValidationError(_("不能报送 %(m)s 之后的月份。") % {"m": f"{today:%Y-%m}"})
    if month.year < locked.year - 10:
        raise ValidationError(_("月份 %(m)s 太早。") % {"m": f"{month:%Y-%m}"})
    value = amount(done, _("当月完成投资"))
    note = bounded_text(progress_note, _("形象进度"), 2000, required=True)
    earlier = ProjectReport.objects.filter(project=locked, month=month).first()
    delta = value - (earlier.done if earlier else Decimal(0))
    if locked.done_total + delta > locked.investment_total:
        raise ValidationError(
            _("累计完成投资将达 %(d)s 万元,超过总投资 %(t)s 万元;请核对金额或先调整总投资。")
            % {"d": locked.done_total + delta, "t": locked.investment_total}
        )
    now = timezone.now()
    if earlier:
        earlier.done, earlier.progress_note, earlier.stage = value, note, locked.stage
        earlier.reported_by, earlier.reported_at = by, now
        earlier.save()
        report = earlier
    else:
        report = ProjectReport.objects.create(
            project=locked, month=month, done=value, stage=locked.stage, progress_note=note,
            reported_by=by, reported_at=now,
        )  # fmt: skip
    updates: dict[str, Any] = {"done_total": F("done_total") + delta, "version": F("version") + 1}
    if month.year == locked.year:
        updates["done_year"] = F("done_year") + delta
    if locked.last_month is None or month >= locked.last_month:
        updates["last_month"] = month
        updates["progress_note"] = note
    Project.objects.filter(pk=locked.pk).update(**updates)
    _log(
        locked, "reported", by, note=note, month=f"{month:%Y-%m}", done=str(value),
        replaced=str(earlier.done) if earlier and delta else None,
    )  # fmt: skip
    return report


# Stages ---------------------------------------------------------------------------------------


@transaction.atomic
def request_stage(
    project: Project,
    *,
    by: Any,
    to_stage: str,
    on: dt.date,
    note: str = "",
    files: Iterable[tuple[Upload, str]] = (),
    version: int | None = None,
) -> StageChange:
    """Apply to move the project on (签约, 开工 …) with the evidence that shows it (the signed
    contract, the construction permit …); the level above confirms."""
    _require(can_manage(by, project.org), _("您无权为该项目申请阶段变更。"))
    locked = _current(project, version)
    if to_stage not in STAGES or STAGES.index(to_stage) <= STAGES.index(locked.stage):
        raise ValidationError(
            _("项目已处于“%(s)s”阶段,只能申请进入之后的阶段。") % {"s": locked.get_stage_display()}
        )
    if on > timezone.localdate():
        raise ValidationError(_("实际日期不能晚于今天。"))
    if StageChange.objects.filter(project=locked, status=ChangeStatus.PENDING).exists():
        raise ValidationError(_("该项目已有待确认的阶段变更,请等上级确认或退回后再申请。"))
    uploads = list(files)
    if not uploads:
        raise ValidationError(
            _("请上传佐证材料(如签约合同、施工许可证、竣工验收文件),支持 %(t)s。")
            % {"t": EVIDENCE_TYPES_NOTE}
        )
    change = StageChange.objects.create(
        project=locked, from_stage=locked.stage, to_stage=to_stage, on=on,
        note=bounded_text(note, _("说明"), 2000), requested_by=by, requested_at=timezone.now(),
    )  # fmt: skip
    max_mb = int(locked.campaign.rule("evidence_max_mb"))
    stored: list[str] = []
    try:
        for upload, name in uploads:
            checked = check_and_store(upload, name, max_mb)
            stored.append(checked.stored_name)
            StageEvidence.objects.create(
                change=change, stored_name=checked.stored_name, original_name=name[:200],
                file_type=checked.file_type, size=checked.size, sha256=checked.sha256,
            )  # fmt: skip
    except Exception:
        for name in stored:
            discard(name)
        raise
    _log(locked, "stage_requested", by, note=change.note, to=to_stage, on=on.isoformat())
    confirmers = _confirmers(locked)
    link = reverse("project_detail", args=[locked.pk])
    notify(confirmers, _("项目阶段待确认:%(p)s") % {"p": locked.name}, change.note, link)
    return change


def _confirmers(project: Project) -> list[Any]:
    """Leaders of the unit above, and the campaign office."""
    parent = project.org.parent
    codes = [c for c in (parent.code if parent else None, project.campaign.org.code) if c]
    found = holders(codes, (Role.LEADER, Role.OFFICE))
    people = found.get((codes[0], Role.LEADER), []) + found.get(
        (project.campaign.org.code, Role.OFFICE), []
    )
    return list({u.pk: u for u in people}.values())


def unit_staff(orgs: Iterable[Org]) -> dict[int, list[Any]]:
    """Each unit's handlers and admins: who a project's reminders and 催办 go to."""
    by_code = {o.code: o.pk for o in orgs}
    found = holders(by_code, (Role.HANDLER, Role.ADMIN))
    staff: dict[int, list[Any]] = {}
    for (code, _role), users in found.items():
        staff.setdefault(by_code[code], []).extend(users)
    return staff


@transaction.atomic
def decide_stage(change: StageChange, *, by: Any, confirm: bool, note: str = "") -> StageChange:
    """Confirm (the project moves to the stage, its date recorded) or return with a reason. The
    person who applied cannot confirm their own application."""
    project = change.project
    _require(can_confirm(by, project), _("只有上一级领导或活动办公室可以确认项目阶段。"))
    locked_change = StageChange.objects.select_for_update().get(pk=change.pk)
    if locked_change.status != ChangeStatus.PENDING:
        raise ValidationError(_("该申请已处理。"))
    _require(
        locked_change.requested_by_id != getattr(by, "pk", None), _("不能确认自己提交的申请。")
    )
    locked = _current(project, None)
    note = bounded_text(note, _("意见"), 2000, required=not confirm)
    locked_change.status = ChangeStatus.CONFIRMED if confirm else ChangeStatus.RETURNED
    locked_change.decided_by, locked_change.decided_at = by, timezone.now()
    locked_change.decision_note = note
    locked_change.save()
    if confirm:
        reached = STAGES.index(locked_change.to_stage)
        for stage, field in STAGE_DATES.items():
            # A project confirmed as started has been signed: a skipped stage's date is the
            # date of the stage it went straight to, unless it was known already.
            if STAGES.index(stage) <= reached and getattr(locked, field) is None:
                setattr(locked, field, locked_change.on)
        if locked_change.to_stage in STAGE_DATES:
            setattr(locked, STAGE_DATES[locked_change.to_stage], locked_change.on)
        locked.stage = locked_change.to_stage
        locked.version += 1
        locked.save()
    _log(
        locked, "stage_confirmed" if confirm else "stage_returned", by, note=note,
        to=locked_change.to_stage,
    )  # fmt: skip
    link = reverse("project_detail", args=[locked.pk])
    subject = (_("项目阶段已确认:%(p)s") if confirm else _("项目阶段申请被退回:%(p)s")) % {
        "p": locked.name
    }
    notify([locked_change.requested_by], subject, note, link)
    return locked_change


# Obstacles and 催办 -------------------------------------------------------------------------


@transaction.atomic
def link_obstacle(project: Project, problem: Problem, *, by: Any) -> None:
    """A ledger problem that blocks the project (要素保障问题)."""
    _require(can_manage(by, project.org), _("您无权为该项目关联问题。"))
    if problem.campaign_id != project.campaign_id:
        raise ValidationError(_("只能关联本活动台账中的问题。"))
    if not ledger_permissions.visible_problems(by, project.campaign).filter(pk=problem.pk).exists():
        raise NotAllowed(_("您看不到该问题,不能关联。"))
    if project.obstacles.filter(pk=problem.pk).exists():
        return
    project.obstacles.add(problem)
    _log(project, "obstacle_linked", by, problem=problem.number)


@transaction.atomic
def unlink_obstacle(project: Project, problem: Problem, *, by: Any) -> None:
    _require(can_manage(by, project.org), _("您无权为该项目取消关联。"))
    project.obstacles.remove(problem)
    _log(project, "obstacle_unlinked", by, problem=problem.number)


@transaction.atomic
def record_obstacle(
    project: Project,
    *,
    by: Any,
    title: str,
    focus_area: FocusArea,
    org: Org | None = None,
    description: str = "",
    kind: str = Kind.DEADLINE,
) -> Problem:
    """Record a 要素保障问题 in the ledger for the unit that must solve it (the project's own, or
    a department: land, energy, approvals) and link it; it is then rectified like any problem."""
    problem = record_problem(
        campaign=project.campaign,
        by=by,
        title=title,
        focus_area=focus_area,
        org=org or project.org,
        kind=kind,
        source=Source.ASSIGNED if org and org.pk != project.org_id else Source.SELF_FOUND,
        description=description or _("项目“%(p)s”(%(n)s)的要素保障问题。") % {
            "p": project.name, "n": project.number,
        },
    )  # fmt: skip
    project.obstacles.add(problem)
    _log(project, "obstacle_linked", by, problem=problem.number)
    return problem


@transaction.atomic
def urge(project: Project, *, by: Any, note: str) -> int:
    """催办: tell the unit's handlers and admins, with the office's words; returns how many."""
    _require(can_urge(by, project), _("只有上一级领导或活动办公室可以催办。"))
    note = bounded_text(note, _("催办意见"), 1000, required=True)
    _log(project, "urged", by, note=note)
    link = reverse("project_detail", args=[project.pk])
    people = unit_staff([project.org]).get(project.org_id, [])
    return notify(people, _("项目催办:%(p)s") % {"p": project.name}, note, link, urgent=True)


# Reminders ------------------------------------------------------------------------------------


@transaction.atomic
def remind_reports(campaign: Campaign, today: dt.date) -> int:
    """Once a month, on the working day two days before the report is due, and once the day
    after it is missed, tell each unit which of its projects have not reported. Idempotent:
    what was already sent for that month and kind is not sent again."""
    owed = owed_month(campaign, today)
    due = due_date(campaign, owed)
    told = 0
    days_left = (due - today).days
    if 0 <= days_left <= 2:
        told += _remind(
            campaign, owed, "report_reminder", _("请于 %(d)s 前报送 %(m)s 项目月报"), due
        )
    missed = late_month(campaign, today)
    if today > due_date(campaign, missed):
        subject = _("%(m)s 项目月报逾期未报(应于 %(d)s 前报送)")
        told += _remind(campaign, missed, "report_missed", subject, due_date(campaign, missed))
    return told


def _remind(campaign: Campaign, month: dt.date, action: str, subject: str, due: dt.date) -> int:
    key = f"{month:%Y-%m}"
    owing = Project.objects.filter(unreported_q(month), campaign=campaign)
    already = set(
        ProjectEvent.objects.filter(
            project__campaign=campaign, action=action, data__month=key
        ).values_list("project_id", flat=True)
    )
    projects = [p for p in owing.select_related("org") if p.pk not in already]
    if not projects:
        return 0
    now = timezone.now()
    ProjectEvent.objects.bulk_create(
        ProjectEvent(project=p, action=action, at=now, data={"month": key}) for p in projects
    )
    by_org: dict[int, list[Project]] = {}
    for p in projects:
        by_org.setdefault(p.org_id, []).append(p)
    staff = unit_staff({p.org for p in projects})
    told = 0
    for org_id, owing_projects in by_org.items():
        names = "、".join(p.name for p in owing_projects[:10])
        more = len(owing_projects) - 10
        body = names + (_(" 等 %(n)d 个项目") % {"n": len(owing_projects)} if more > 0 else "")
        link = (
            reverse("project_list", args=[campaign.slug])
            + f"?org={owing_projects[0].org.code}&unreported=1"
        )
        told += notify(
            staff.get(org_id, []),
            subject % {"m": key, "d": due.isoformat()},
            body,
            link,
            urgent=action == "report_missed",
        )
    return told


def owing(campaign: Campaign, today: dt.date) -> Q:
    """Projects that owe a report a unit can make now: the month last due (missed), and the
    month being collected once it has ended. (Between a month's due day and its end the next
    report is not yet due and cannot be complete: on 12-05, December's is not owed yet.)"""
    owed = owed_month(campaign, today)
    found = unreported_q(late_month(campaign, today))
    if first_of(today) > owed:
        found |= unreported_q(owed)
    return found
