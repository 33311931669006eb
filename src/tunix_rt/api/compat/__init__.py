"""The earlier API's compatibility adapter (``TUNIX_RT_SEED_COMPAT=true``; docs/compat.md).

One mechanism: an ASGI middleware (``SeedCompat``) with a table of translators, one per earlier
method and path, rather than a router of translating routes. Why a middleware:

- A translated request is sent on to OUR routes inside the same app (``Exchange.call``), so it
  meets our own input checks, auth (the client's bearer token travels with it), validation and
  error model unchanged; a router of its own would have to repeat each route's dependencies, or
  call the services and skip them.
- The earlier paths are our paths: a router mounted first would shadow ours and have to accept
  both shapes with its own schemas. The middleware reshapes only bodies in the earlier shape
  (each translator checks for an earlier field first) and passes ours through untouched.
- Our OpenAPI document, routes and schemas stay exactly as they are: with the adapter off it
  is not installed at all, and with it on the fuzzed surface is still ours.

It sits inside the Host/cross-site guard and the body-size limit, so it opens nothing they
close. A client of ours on a server with the adapter on sends ``X-Tunix-RT-API: native`` to be
answered natively (the three routes answering the earlier bare arrays need it).
"""

from tunix_rt.api.compat.middleware import SeedCompat

__all__ = ["SeedCompat"]
