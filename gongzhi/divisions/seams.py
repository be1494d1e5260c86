"""What the divisions app brings to the shell (gongzhi.core.seams): its menu entry, and the hooks it
announces when grids are replaced."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Action
from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.panels import Panel, register_panel

# Announced through gongzhi.core.seams.hooks inside the grid service's transaction, with
# `actor`, `successors` ({retired grid: [grids now holding its ground]}) and `reason`.
GRIDS_SPLIT = "divisions.grids_split"
GRIDS_MERGED = "divisions.grids_merged"
GRIDS_RETIRED = "divisions.grids_retired"  # a community's layer re-imported without them
GRID_HOOKS = (GRIDS_SPLIT, GRIDS_MERGED, GRIDS_RETIRED)

# The division page (divisions/detail.html) draws the panels other apps register for this page.
DETAIL_PAGE = "divisions.detail"


def register() -> None:
    register_menu_entry(MenuEntry("divisions.tree", _("Divisions and grids"), "divisions:tree", order=50,
                                  active="divisions", visible=lambda u: scope.may(u, Action.VIEW)))
    # "My divisions" on the workbench home (gongzhi.core.views.HOME_PAGE).
    register_panel(Panel("core.home", "divisions.mine", "divisions/_home_divisions.html", order=10,
                         visible=lambda u, _obj: scope.may(u, Action.VIEW), context=_my_divisions))


def _my_divisions(user, _obj) -> dict:
    from .selectors import descendant_counts, top_divisions_for

    tops = top_divisions_for(user)
    return {"tops": tops, "counts": descendant_counts(tops)}
