-- Every indicator's values come from the models of its catalogue model_area only: a row here names
-- an indicator computed by another area's model, or one the catalogue does not have. (That every
-- catalogue indicator has values is checked on the mart.)
{%- set branches = [] %}
{%- for area, shapes in var('vocabularies')['model_area'].items() %}
    {%- for shape in shapes %}
        {%- do branches.append((area, 'int_indicator_' ~ shape ~ '__' ~ area)) %}
    {%- endfor %}
{%- endfor %}
with

computed as (
{%- for area, model in branches %}
    select distinct '{{ area }}' as computed_by, indicator_code from {{ ref(model) }}
    {{- "\n    union all" if not loop.last }}
{%- endfor %}

)

select
    computed.indicator_code,
    computed.computed_by,
    catalogue.model_area
from computed
left join {{ ref('indicator_catalogue') }} as catalogue
    on catalogue.indicator_code = computed.indicator_code
where catalogue.model_area is distinct from computed.computed_by
