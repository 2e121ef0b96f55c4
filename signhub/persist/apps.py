from django.apps import AppConfig


class PersistConfig(AppConfig):
    name = "signhub.persist"
    label = "persist"
    verbose_name = "Signatures Persist API"
