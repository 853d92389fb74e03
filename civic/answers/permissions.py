from civic.core.permissions import has_role, register

# Officials answer; agents and administrators too (as for the official answer of a proposal).
register("answers.answer", has_role("elected", "agent", "admin"))
register("answers.manage", has_role("elected", "agent", "admin"))
