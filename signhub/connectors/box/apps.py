from signhub.core.registry import ConnectorAppConfig


class BoxConfig(ConnectorAppConfig):
    name = "signhub.connectors.box"
    label = "connector_box"
    verbose_name = "Box Sign"
