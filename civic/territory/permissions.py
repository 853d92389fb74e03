from civic.core.permissions import always, is_authenticated, register

register("territory.browse", always)
register("territory.follow", is_authenticated)
