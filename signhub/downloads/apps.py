from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "signhub.downloads"
    label = "downloads"
    verbose_name = "Downloads and evidence packs"
