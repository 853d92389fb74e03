from civic.core.htmx import render_page_or_block


def index():
    return render_page_or_block("ratings/index.html", "results", items=[])
