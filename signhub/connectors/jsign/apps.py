from signhub.core.registry import ConnectorAppConfig


class JSignConfig(ConnectorAppConfig):
    name = "signhub.connectors.jsign"
    label = "connector_jsign"
    verbose_name = "JSign"
    # apps.py also imports ConnectorAppConfig, so Django needs telling which one to use.
    default = True
