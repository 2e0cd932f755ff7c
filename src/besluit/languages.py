"""Which language a page speaks: the reader's own choice, else the association's, else
Dutch; never the browser's ``Accept-Language``.

A mayor's laptop set to English must not turn the association's meeting into English
pages: the association decides its language (``Association.language``, Dutch by
default), and a reader who wants English picks it with the language switch in the page
header (``set_language`` keeps it in a cookie for a year). The association is known
only once a view has found it, so ``frame.shortcuts.association_for`` calls
``use_association_language``; until then, and on pages of no association, the site's
default (``LANGUAGE_CODE``) holds.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str | None:
    """The language the reader chose with the language switch, if any (and supported)."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code and code in dict(settings.LANGUAGES):
        return code
    return None


def request_language(request) -> str:
    """The reader's choice, else the site's default: what a page speaks before (or
    without) knowing its association."""
    return chosen_language(request) or settings.LANGUAGE_CODE


def use_association_language(request, association) -> None:
    """Speak the association's language on its pages, unless the reader chose one."""
    if chosen_language(request) is not None:
        return
    language = getattr(association, "language", "") or settings.LANGUAGE_CODE
    if language in dict(settings.LANGUAGES) and language != translation.get_language():
        translation.activate(language)
        request.LANGUAGE_CODE = language


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's say (no ``Accept-Language``)."""

    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The answer depends on the language cookie (and the association), never on
        # Accept-Language; Cookie is in Vary already wherever a session is read.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
