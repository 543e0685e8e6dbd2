"""marshmallow schemas shared by the API, imports and exports."""
