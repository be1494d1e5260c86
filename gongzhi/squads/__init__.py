"""Emergency squads (应急突击队): rosters, alerts, muster, drills."""
