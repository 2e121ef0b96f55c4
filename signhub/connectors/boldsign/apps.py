from signhub.core.registry import ConnectorAppConfig


class BoldSignConfig(ConnectorAppConfig):
    # `default = True`: apps.py also holds the imported ConnectorAppConfig, and with two
    # AppConfig subclasses in the module Django would pick neither (so `ready()` never ran).
    default = True
    name = "signhub.connectors.boldsign"
    label = "connector_boldsign"
    verbose_name = "BoldSign"
