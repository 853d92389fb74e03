"""Co-construction on a draft text: versions, numbered items, reactions, amendments, answers."""
