"""
Python loads this file at start-up from PYTHONPATH, which test/harness/moto.ts sets for the
moto_server it starts (and only for it).

moto's request router (moto/moto_server/werkzeug_app.py, get_backend_for_host) asks on every
request whether the Host header names one of moto's service packages, and
moto.backends.list_of_moto_modules answers by listing moto's package folder and stat-ing each
entry: about 170 system calls per request, twice per request, a third of moto's CPU per S3 request
(measured with cProfile: 1.6 s of 5.4 s over 600 PUT/GET). The folder cannot change while the
server runs, so the list is read once here; the routing is the same. With a moto that no longer
has the function, nothing is changed.
"""


def _read_moto_modules_once():
    try:
        from moto import backends
    except Exception:  # moto missing or broken: moto_server itself will say so
        return
    listing = getattr(backends, "list_of_moto_modules", None)
    if listing is None:
        return
    modules = tuple(listing())
    backends.list_of_moto_modules = lambda: modules


_read_moto_modules_once()
