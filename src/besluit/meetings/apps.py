from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "besluit.meetings"
    verbose_name = "Meetings"
