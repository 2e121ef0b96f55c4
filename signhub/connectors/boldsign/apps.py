from signhub.core.registry import ConnectorAppConfig


class BoldSignConfig(ConnectorAppConfig):
    name = "signhub.connectors.boldsign"
    label = "connector_boldsign"
    verbose_name = "BoldSign"
