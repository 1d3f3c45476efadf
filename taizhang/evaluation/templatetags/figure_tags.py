from django import template

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    """A 0–1 rate as a percentage with one decimal, or — when there is nothing to divide."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def get(mapping: dict, key: str) -> object:  # type: ignore[type-arg]
    return mapping.get(key) if mapping else None
