from civic.core.permissions import always, register

register("pages.view", always)
