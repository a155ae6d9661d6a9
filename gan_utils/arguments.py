"""Checks of the plain arguments every room takes (counts, sizes, seeds): one home, no imports."""
import numbers


def check_whole_number(value, name: str, minimum: int = 1) -> int:
    """Refuse anything but a whole number >= ``minimum`` (a float, a bool, a string), naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} should be a whole number, at least {minimum}, got {value!r}"
                         + (f"; write {int(value)}" if isinstance(value, float) and value.is_integer()
                            and value >= minimum else ""))
    return int(value)
