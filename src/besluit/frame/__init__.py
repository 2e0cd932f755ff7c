"""The page frame every feature's pages stand in.

Guards (find the association or meeting the user may see, map domain errors onto 403 and
404, require a capability), the context every association page needs, breadcrumbs, the
base templates and the template filters. It imports only domain models and ``access``,
so that every app's views can lean on it without tying the apps to each other.
"""
