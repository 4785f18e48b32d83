"""Search. Until the search engine lands: a plain match on published titles and bodies."""
