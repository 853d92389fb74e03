from civic.core.permissions import always, has_role, is_authenticated, register

register("analysis.manage", has_role("agent", "admin"))
# Officials write the reasoned decision; agents prepare it.
register("analysis.review", has_role("agent", "elected", "admin"))
register("analysis.read_report", always)
register("analysis.own_restitution", is_authenticated)
register("analysis.own_position", is_authenticated)
