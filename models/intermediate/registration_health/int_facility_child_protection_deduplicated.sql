-- The latest delivered value of each facility x reporting month x data element x sex x age group
-- (a late or corrected report in a later export replaces the earlier value). The month is the
-- first day of the reporting month.
with

data_values as (

    select
        facility_id,
        district_code,
        cast(date_trunc('month', reporting_month) as date) as reporting_month,
        data_element,
        sex,
        age_group,
        value,
        _period,
        _received_at,
        _source_file
    from {{ ref('stg_health__facility_child_protection') }}

)

select
    facility_id,
    district_code,
    reporting_month,
    data_element,
    sex,
    age_group,
    value

from data_values

{{ latest_delivery(['facility_id', 'reporting_month', 'data_element', 'sex', 'age_group']) }}
