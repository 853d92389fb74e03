from civic.core.permissions import always, has_role, is_authenticated, register

register("accounts.anonymous_forms", always)  # login, register, reset: open to all
register("accounts.own_account", is_authenticated)
register("accounts.manage_users", has_role("admin"))
register("accounts.read_audit_log", has_role("admin"))
register("accounts.read_outbox", has_role("admin"))
register("accounts.unsubscribe", always)  # the signed link in an e-mail is the proof
