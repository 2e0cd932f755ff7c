import os

from django.core.wsgi import get_wsgi_application

from besluit import startup

startup.restrict_file_modes()  # before the database, uploads or keys are created
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")
application = get_wsgi_application()
