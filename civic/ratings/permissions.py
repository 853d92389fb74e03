from civic.core.permissions import always, register

register("ratings.browse", always)
