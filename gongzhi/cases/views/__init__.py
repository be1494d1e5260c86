"""The case pages, one module per concept: report (the resident's phone page and the staff
desk), track (public tracking, rating, my cases), workbench (queues), detail (one case) and
actions (the forms of its action panel). Views parse, call services and selectors, and render."""
