"""Schemathesis drives every operation of /api/schema/ against a live server, as the office and
as a handler, with a bounded number of generated requests each: no answer may be a server
error, and every answer must match the schema the API publishes."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from taizhang.api import tokens
from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger import services as ledger
from taizhang.supervision.services import issue_notice
from taizhang.testing import close, record

EXAMPLES_PER_OPERATION = 10


def _data(world):
    """Rows for ids 1–4 to find: closed, open, supervised, and one reopened by a citizen (a
    history row no person wrote)."""
    close(world, record(world))
    record(world, title="未整改")
    issue_notice(record(world, title="督办的问题"), by=world.office, kind="urge", text="请抓紧")
    s = intake.submit_suggestion(world.campaign, channel=Channel.WEB, title="路灯", text="不亮")
    problem = intake.convert_to_problem(
        s, by=world.office, version=s.version, org=world.dept_a1, focus_area=world.area,
        kind="deadline",
    )  # fmt: skip
    ledger.sign_problem(problem, by=world.handler_a1, version=problem.version)
    problem.refresh_from_db()
    close(world, problem)
    s.refresh_from_db()
    intake.rate_suggestion(s, rating=1, comment="没修好")


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_no_operation_answers_with_a_server_error_or_off_its_schema(world, live_server):
    _data(world)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    keys = [tokens.issue(u, name="fuzz")[1] for u in (world.office, world.handler_a1)]
    failures: list[str] = []
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            # Aim at the campaign and the rows that exist (ids 1–4 after reset_sequences), so
            # that requests reach the code behind the lookups, not only the 404s before it.
            for name, value in (case.path_parameters or {}).items():
                if name == "slug":
                    case.path_parameters[name] = world.campaign.slug
                elif isinstance(value, int):
                    case.path_parameters[name] = abs(value) % 4 + 1
            for key in keys:
                case.call_and_validate(
                    base_url=live_server.url,
                    headers={"Authorization": f"Token {key}"},
                    checks=[not_a_server_error, response_schema_conformance],
                )

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis reports a group
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    assert operations > 30
    assert not failures, "\n\n".join(failures)
