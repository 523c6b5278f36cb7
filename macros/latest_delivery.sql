{#-
    Keep the latest delivered version of each key: the row from the latest `_period`, then the latest
    `_received_at`, then the greatest `_source_file` (a deterministic tie-break).
    Use as the last clause of a select over a staging model.
-#}
{% macro latest_delivery(key_columns) -%}
    qualify row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by _period desc, _received_at desc, _source_file desc
    ) = 1
{%- endmacro %}
