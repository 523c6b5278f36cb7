-- Placeholder: the registration_health indicators are not computed yet (docs/indicators-and-feeds.md).
{{ empty_indicator_parts() }}
