-- Reporting periods: months, complete quarters and complete years of the delivered span.
select
    period_id,
    period_type,
    period_start,
    period_end,
    year,
    quarter,
    month,
    case period_type
        when 'month' then strftime(period_start, '%b %Y')
        when 'quarter' then 'Q' || quarter || ' ' || year
        else cast(year as varchar)
    end as period_label

from {{ ref('int_reporting_periods') }}
