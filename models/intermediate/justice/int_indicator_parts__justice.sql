-- Placeholder: the justice indicators are not computed yet (docs/indicators-and-feeds.md).
{{ empty_indicator_parts() }}
