from civic.core.permissions import always, register

register("opendata.read", always)
