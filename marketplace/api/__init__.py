"""The API's shared parts: token authentication, throttles, the error
format, cursor pagination, the JSON parser, query filters, input fields
and role permissions. Each app's ``api.py`` holds its endpoints;
``marketplace.api.urls`` mounts them under ``/api/v1/``.

Every endpoint fetches through the app's selectors (an object outside the
caller's scope is a 404) and writes through its services, the same calls the
pages make; serializers only check the shape of the input.
"""
