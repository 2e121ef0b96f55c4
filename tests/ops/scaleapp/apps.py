from signhub.core.registry import ConnectorAppConfig


class ScaleTestConfig(ConnectorAppConfig):
    name = "tests.ops.scaleapp"
    label = "ops_scaletest"
    default = True  # apps.py also imports the base class: pick this one
