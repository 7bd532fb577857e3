"""The API's settings (DRF, drf-spectacular, rate limits), read by ``base``."""

import environ

env = environ.Env()

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate makes "not signed in" a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per address: marketplace.api.throttling.AddressLimitMiddleware, before authentication.
    "DEFAULT_THROTTLE_CLASSES": ["marketplace.api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.pagination.NewestFirstPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser with a nesting limit: a deep body is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["marketplace.api.parsers.JSONParser"],
    # django-filter's backend, refusing a filter sent empty (marketplace.api.filters).
    "DEFAULT_FILTER_BACKENDS": ["marketplace.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace.api.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ConsentCast API",
    "DESCRIPTION": (
        "Search the roster, send and follow usage requests, sign contracts and check licences. "
        "Authenticate with a personal access token (Authorization: Token <key>) created under "
        "Account settings > API tokens, or with the browser session (CSRF token required for writes)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl None: Swagger UI would otherwise send the schema to swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
    # Loads the portal's extensions (marketplace.api.schema_extensions) only
    # when a schema is generated: they pull in django.test and Jinja2.
    "PREPROCESSING_HOOKS": ["marketplace.api.schema_extensions.load"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.api.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "creators.models.Project.Status",
        "RequestStatusEnum": "usage_requests.models.RequestStatus",
        "ContractStatusEnum": "usage_requests.models.ContractStatus",
        # The licence check's status: the verdict of usage_requests.verdicts.
        "LicenceStatusEnum": "usage_requests.verdicts.VERDICT_CHOICES",
        "CurrencyEnum": "marketplace.money.Currency",
        "PartyEnum": "usage_requests.models.Party",
        "CategoryEnum": "marketplace.categories.ContentCategory",
        "TerritoryEnum": "marketplace.places.Territory",
        "LikenessUsageEnum": "creators.models.LikenessUsage",
        "OutputStatusEnum": "usage_requests.models.OutputStatus",
        "WebhookDeliveryStatusEnum": "usage_requests.models.webhooks.WebhookDeliveryStatus",
        # The licence check's refusal reasons (usage_requests.licence_checks.Reason).
        "CheckReasonEnum": "usage_requests.api.public.REASONS",
    },
}
# Requests per minute: per address (signed in or not) and per token or session.
API_REQUESTS_PER_MINUTE_PER_ADDRESS = env.int("API_REQUESTS_PER_MINUTE_PER_ADDRESS", default=300)
API_REQUESTS_PER_MINUTE_PER_TOKEN = env.int("API_REQUESTS_PER_MINUTE_PER_TOKEN", default=120)
