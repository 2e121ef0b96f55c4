from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "signhub.dashboard"
    label = "dashboard"
