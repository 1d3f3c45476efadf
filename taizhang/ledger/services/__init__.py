"""Every change to a problem goes through one function here: checked, atomic, versioned, logged.

Views, the API, commands and importers call these; none of them writes a status by hand.
"""

from taizhang.ledger.errors import ConflictError, NotAllowed, TransitionError
from taizhang.ledger.services.closure import (
    apply_to_close,
    approve_closure,
    merge_problem,
    reopen_after_rating,
    reopen_problem,
    return_closure,
    void_problem,
)
from taizhang.ledger.services.dispatching import (
    contact_citizen,
    decline_problem,
    forward_problem,
    review_decline,
)
from taizhang.ledger.services.extensions import (
    decide_extension,
    recompute_provisional_deadlines,
    request_extension,
)
from taizhang.ledger.services.imported import confirm_imported_closure
from taizhang.ledger.services.parts import (
    finish_part,
    report_part,
    set_cooperating,
    set_part_deadline,
    sign_part,
    waive_part,
)
from taizhang.ledger.services.recording import (
    add_evidence,
    add_measure,
    assign_problem,
    confirm_focus_area,
    record_problem,
    report_progress,
    sign_problem,
    update_problem,
)

__all__ = [
    "ConflictError",
    "NotAllowed",
    "TransitionError",
    "add_evidence",
    "add_measure",
    "apply_to_close",
    "approve_closure",
    "assign_problem",
    "confirm_focus_area",
    "confirm_imported_closure",
    "contact_citizen",
    "decide_extension",
    "decline_problem",
    "finish_part",
    "forward_problem",
    "merge_problem",
    "recompute_provisional_deadlines",
    "record_problem",
    "reopen_after_rating",
    "reopen_problem",
    "report_part",
    "report_progress",
    "request_extension",
    "return_closure",
    "review_decline",
    "set_cooperating",
    "set_part_deadline",
    "sign_part",
    "sign_problem",
    "update_problem",
    "void_problem",
    "waive_part",
]
