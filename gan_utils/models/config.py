"""A model's configuration, recorded once: the arguments that rebuild it, kept as ``model.config``
(what checkpoints store and ``build_model`` reads) and as attributes (``G.latent_dim``)."""
import inspect


def record_config(model, **arguments) -> None:
    """Keep the checked ``arguments`` as ``model.config`` and as attributes of the same names, so
    the two can never disagree."""
    model.config = dict(arguments)
    for name, value in arguments.items():
        setattr(model, name, value)


def full_config(model_class: type, config: dict) -> dict:
    """``config`` with the class's defaults filled in for any argument it leaves out, so a checkpoint
    saved before an option existed (``spectral_norm``, ``bias``) still matches a model built today."""
    defaults = {name: parameter.default
                for name, parameter in inspect.signature(model_class.__init__).parameters.items()
                if parameter.default is not inspect.Parameter.empty}
    return {**defaults, **(config or {})}
