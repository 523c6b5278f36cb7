-- Placeholder: the case_management indicators are not computed yet (docs/indicators-and-feeds.md).
{{ empty_indicator_values() }}
