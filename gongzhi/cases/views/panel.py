"""The action panel of a case: which actions this user may take on it in its present state, and
the form of each. The services check everything again when the form is sent; this only decides
what to offer, so nobody is shown a button that can only be refused."""

from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..choices import FINAL_STATES, HELD_STATES, WHISTLE_STATES, CaseState, SidestepKind, SidestepStatus
from ..forms import (
    AnswerForm,
    DecideForm,
    DispatchForm,
    MergeForm,
    RegisterForm,
    RejectForm,
    ResolveForm,
    SidestepForm,
    VerifyForm,
    VersionedForm,
    WhistleForm,
)
from ..permissions import CaseAction
from ..services.routing import route

S = CaseState
A = CaseAction
MAX_PEOPLE_LISTED = 100  # a whistle form's checkboxes; the service accepts any of the selector's answer
ASKED = (A.REGISTER, A.DISPATCH, A.HANDLE, A.VERIFY, A.CLOSE, A.APPROVE, A.WHISTLE, A.MERGE)
# The order actions appear in the panel.
ORDER = ["register", "reject", "dispatch", "accept", "start", "resolve", "verify", "close", "resume", "decide",
         "sidestep", "whistle", "merge"]
FORMS = {"register": RegisterForm, "reject": RejectForm, "dispatch": DispatchForm, "accept": VersionedForm,
         "start": VersionedForm, "resolve": ResolveForm, "verify": VerifyForm, "close": VersionedForm,
         "resume": VersionedForm, "decide": DecideForm, "sidestep": SidestepForm, "whistle": WhistleForm,
         "merge": MergeForm}


@dataclass(frozen=True)
class Step:
    title: str
    button: str
    folded: bool = False  # shown folded: the rarer or heavier choices
    danger: bool = False


STEPS = {
    "register": Step(_("Register the case"), _("Register")),
    "reject": Step(_("Reject as invalid"), _("Reject"), folded=True, danger=True),
    "dispatch": Step(_("Dispatch"), _("Dispatch")),
    "accept": Step(_("Accept the case"), _("Accept")),
    "start": Step(_("Start work"), _("Start work")),
    "resolve": Step(_("Report it resolved"), _("Report resolved")),
    "verify": Step(_("Verify on the spot"), _("Record the check")),
    "close": Step(_("Close the case"), _("Close")),
    "resume": Step(_("Resume work"), _("Resume")),
    "decide": Step(_("Decide the request"), _("Decide")),
    "sidestep": Step(_("Ask to return, transfer, extend, suspend or void"), _("Send the request"), folded=True),
    "whistle": Step(_("Blow the whistle"), _("Summon them"), folded=True),
    "merge": Step(_("Merge duplicates into this case"), _("Merge"), folded=True),
}


class Panel:
    def __init__(self, user, case):
        self.user, self.case = user, case

    @cached_property
    def sidesteps(self):
        return selectors.sidesteps_of(self.case)

    @cached_property
    def pending(self):
        return next((s for s in self.sidesteps if s.status == SidestepStatus.PENDING), None)

    @cached_property
    def permitted(self) -> set[str]:
        return selectors.permitted_actions(self.user, self.case, ASKED)

    @cached_property
    def sidestep_kinds(self) -> list[str]:
        s, may = self.case.state, self.permitted
        if self.pending is not None:
            return []
        kinds = []
        if A.HANDLE in may and s in HELD_STATES:
            kinds = list(SidestepKind.values)
        elif A.HANDLE in may and s == S.SUSPENDED:
            kinds = [SidestepKind.VOID]
        if A.DISPATCH in may and s in HELD_STATES | {S.REGISTERED, S.SUSPENDED} and SidestepKind.VOID not in kinds:
            kinds.append(SidestepKind.VOID)
        return kinds

    @cached_property
    def whistle_division(self):
        if A.WHISTLE not in self.permitted:
            return None
        return selectors.whistle_division(self.user, self.case)

    @cached_property
    def merge_candidates(self):
        if A.MERGE not in self.permitted or self.case.state in FINAL_STATES:
            return []
        near = selectors.nearby_duplicates(self.case.lng, self.case.lat, self.case.category, exclude=self.case.pk)
        visible = set(selectors.cases_for(self.user, A.MERGE).filter(pk__in=[n.case.pk for n in near])
                      .values_list("pk", flat=True))
        return [n for n in near if n.case.pk in visible]

    @cached_property
    def available(self) -> list[str]:
        s, may = self.case.state, self.permitted
        names = set()
        if A.REGISTER in may and s == S.SUBMITTED:
            names |= {"register", "reject"}
        if A.DISPATCH in may and s == S.REGISTERED:
            names.add("dispatch")
        if A.HANDLE in may:
            if s == S.DISPATCHED:
                names.add("accept")
            if s == S.ACCEPTED:
                names.add("start")
            if s in (S.ACCEPTED, S.IN_PROGRESS):
                names.add("resolve")
        if s == S.SUSPENDED and (A.HANDLE in may or A.APPROVE in may):
            names.add("resume")
        if A.VERIFY in may and s == S.RESOLVED:
            names.add("verify")
        if A.CLOSE in may and s == S.VERIFIED:
            names.add("close")
        if A.APPROVE in may and self.pending is not None and self.pending.requested_by_id != self.user.pk:
            names.add("decide")
        if self.sidestep_kinds:
            names.add("sidestep")
        if self.whistle_division is not None and s in WHISTLE_STATES:
            names.add("whistle")
        if self.merge_candidates:
            names.add("merge")
        return [n for n in ORDER if n in names]

    # --- forms --------------------------------------------------------------------------------

    @cached_property
    def units(self):
        return selectors.dispatch_targets(self.user, self.case)

    @cached_property
    def suggested_unit(self):
        return route(self.case) if "dispatch" in self.available else None

    def form(self, name: str, data=None, files=None):
        case = self.case
        initial = {"version": case.version}
        kwargs = {}
        if name == "register":
            kwargs["classes"] = selectors.catalogue()
        elif name in ("dispatch", "sidestep"):
            kwargs["departments"], kwargs["offices"] = self.units
            if name == "sidestep":
                kwargs["kinds"] = self.sidestep_kinds
        elif name == "whistle":
            kwargs["departments"] = selectors.summonable_departments(self.user, case)
            kwargs["users"] = list(selectors.summonable_people(self.user, case)[:MAX_PEOPLE_LISTED])
            initial = {"hours": 2}
        elif name == "merge":
            kwargs["candidates"] = [n.case for n in self.merge_candidates]
            initial = {}
        return FORMS[name](data, files, initial=initial, prefix=name, **kwargs)

    def forms(self, bound: dict | None = None) -> list[dict]:
        """Each available action with its form (a refused one bound, with the user's input)."""
        bound = bound or {}
        return [{"name": name, "form": bound.get(name) or self.form(name), "step": STEPS[name]}
                for name in self.available]

    @staticmethod
    def answer_form(data=None):
        return AnswerForm(data)
