"""Points (积分): the rules table, awards, publication and appeals, the points shop."""
