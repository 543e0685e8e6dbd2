"""Read models: what the API, the web pages, the exports and the documents show, each scoped
by the permission policy. They return plain dataclasses (or, for single objects, the model rows
that the adapters' schemas dump) and never write."""
