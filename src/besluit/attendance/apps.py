from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "besluit.attendance"
    label = "attendance"
    verbose_name = "Attendance, proxies and paper ballots"

    def ready(self) -> None:
        from besluit.attendance import listeners

        listeners.register()
