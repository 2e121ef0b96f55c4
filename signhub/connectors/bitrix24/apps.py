from signhub.core.registry import ConnectorAppConfig


class Bitrix24Config(ConnectorAppConfig):
    # apps.py also imports ConnectorAppConfig: mark ours as the one Django should pick.
    default = True
    name = "signhub.connectors.bitrix24"
    label = "connector_bitrix24"
    verbose_name = "Bitrix24 e-Signature for HR"
