-- The reporting periods: months, and the complete quarters and years.
select
    period_id,
    period_type,
    period_start,
    period_end,
    year,
    quarter,
    month,
    period_label

from {{ ref('dim_period') }}
