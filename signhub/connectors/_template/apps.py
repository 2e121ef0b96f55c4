from signhub.core.registry import ConnectorAppConfig


class TemplateConnectorConfig(ConnectorAppConfig):
    # The app's name and label follow the folder it was copied to: a copy installs as is.
    # (apps.py also holds the imported base class; `default = True` picks this one.)
    default = True
    name = __name__.rpartition(".")[0]
    label = f"connector_{name.rpartition('.')[2].strip('_')}"
    verbose_name = "Acme Sign"
