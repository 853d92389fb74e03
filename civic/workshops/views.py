from civic.core.htmx import render_page_or_block


def index():
    return render_page_or_block("workshops/index.html", "results", items=[])
