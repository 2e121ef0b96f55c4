from signhub.core.registry import ConnectorAppConfig


class BoxConfig(ConnectorAppConfig):
    # apps.py also holds the imported ConnectorAppConfig; with two AppConfig subclasses in
    # the module Django would pick neither and `ready()` (which registers us) never ran.
    default = True
    name = "signhub.connectors.box"
    label = "connector_box"
    verbose_name = "Box Sign"
