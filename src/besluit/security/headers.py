"""Security headers for the static files WhiteNoise serves (WHITENOISE_ADD_HEADERS_FUNCTION).

WhiteNoise answers before django-csp and the clickjacking middleware run, so a stylesheet,
script or SVG opened on its own came without a policy. Django's SecurityMiddleware still
adds nosniff, Referrer-Policy, COOP and HSTS around it; these are the rest, the same
policy as the edge's answers (besluit.edge.http): a static file needs nothing.
"""

STATIC_FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def add_static_file_headers(headers, path: str, url: str) -> None:
    for name, value in STATIC_FILE_HEADERS.items():
        headers[name] = value
