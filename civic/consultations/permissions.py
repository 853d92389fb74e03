from civic.core.permissions import always, register

register("consultations.browse", always)
