"""JSON REST API (``/api/v1``), documented at ``/docs`` (OpenAPI)."""
