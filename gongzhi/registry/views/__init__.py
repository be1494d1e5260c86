"""The registry's pages: a grid worker's grid from a phone (lists, search, households, visits,
residents) and the statistics panel of the division pages. Views parse, call a selector or a
service, and render; every read is scoped by gongzhi.registry.selectors."""
