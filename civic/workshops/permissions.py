from civic.core.permissions import always, register

register("workshops.browse", always)
