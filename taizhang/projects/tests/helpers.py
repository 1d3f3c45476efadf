import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from taizhang.projects import services
from taizhang.projects.models import Project
from taizhang.testing import PDF


def make(w: SimpleNamespace, org: Any = None, by: Any = None, **kwargs: Any) -> Project:
    values: dict[str, Any] = {
        "name": "尧都区智能装备产业园项目",
        "org": org or w.county_a,
        "year": dt.date.today().year,
        "investment_total": Decimal("50000"),
        "investment_annual": Decimal("12000"),
        **kwargs,
    }
    stage = values.pop("stage", "planning")
    return services.create_project(
        w.campaign, services.ProjectData(**values), by=by or w.office, stage=stage
    )


def pdf(name: str = "施工许可证.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(PDF), name
