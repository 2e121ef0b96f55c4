from signhub.core.forms import ProviderForm


class BoxForm(ProviderForm):
    """Placeholder until the Box Sign connector lands."""
