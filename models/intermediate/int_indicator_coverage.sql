-- What each indicator value rests on: the deliveries of its source feeds (catalogue
-- `source_feeds`) that were expected over the span of records the value uses, and how many
-- arrived (DHIS2's reporting rate). One row per indicator x period. The span is
--   stocks (stock, stock_rate): the period's last month (the stock day's delivery);
--   cumulative rates: the day after the catalogue baseline to the period end;
--   with `window_months` (cohorts, 12-month look-backs): that many months up to the period end;
--   others (flows, rates of flows, medians, distinct counts, surveys): the period.
-- Deliveries of a feed are expected from its first delivered period on (periodic feeds); a span
-- that starts before a periodic feed's first period rests on truncated records (`is_truncated`),
-- and a span with no received delivery of one of its periodic feeds has no data at all
-- (`has_no_data`). The mart turns these into coverage, flags and a note.
with

catalogue as (

    select
        indicator_code,
        kind,
        cast(baseline_date as date) as baseline_date,
        window_months,
        source_feeds
    from {{ ref('indicator_catalogue') }}

),

indicator_feeds as (

    select indicator_code, unnest(string_split(source_feeds, ';')) as feed
    from catalogue

),

spans as (

    select
        catalogue.indicator_code,
        periods.period_id,
        periods.period_end,
        case
            when catalogue.window_months is not null
                then least(
                    periods.period_start,
                    cast(periods.period_end + interval 1 day
                        - to_months(catalogue.window_months) as date)
                )
            when catalogue.kind in ('stock', 'stock_rate')
                then cast(date_trunc('month', periods.period_end) as date)
            when catalogue.kind = 'cumulative_rate' and catalogue.baseline_date is not null
                then catalogue.baseline_date + 1
            else periods.period_start
        end as span_start
    from catalogue
    cross join {{ ref('int_reporting_periods') }} as periods

),

deliveries as (

    select * from {{ ref('stg_pipeline__delivery_status') }}

),

feed_firsts as (

    select distinct feed, entity_name, feed_title, is_periodic, feed_first_period_start
    from deliveries

),

-- per indicator x period x source feed: deliveries expected over the span, and received
by_feed as (

    select
        spans.indicator_code,
        spans.period_id,
        indicator_feeds.feed,
        firsts.entity_name,
        firsts.feed_title,
        coalesce(firsts.is_periodic, false) as is_periodic,
        firsts.feed_first_period_start,
        spans.span_start,
        spans.period_end,
        count(deliveries.feed_period) as expected,
        count(deliveries.feed_period) filter (where deliveries.is_received) as received,
        coalesce(bool_or(deliveries.files_accepted > 1), false) as resubmitted,
        string_agg(
            deliveries.feed_period
            || case when deliveries.status = 'refused' then ' (refused)' else '' end,
            ', ' order by deliveries.feed_period
        ) filter (where not deliveries.is_received) as not_received,
        string_agg(deliveries.feed_period, ', ' order by deliveries.feed_period)
            filter (where deliveries.files_accepted > 1) as resubmitted_periods
    from spans
    inner join indicator_feeds
        on indicator_feeds.indicator_code = spans.indicator_code
    -- feeds never delivered nor expected are unknown to the pipeline: nothing to judge
    inner join feed_firsts as firsts
        on firsts.feed = indicator_feeds.feed
    left join deliveries
        on deliveries.feed = indicator_feeds.feed
        and deliveries.feed_period_start <= spans.period_end
        and deliveries.feed_period_end >= spans.span_start
    group by all

),

judged as (

    select
        *,
        is_periodic and span_start < feed_first_period_start as is_truncated,
        is_periodic and received = 0 as has_no_data,
        feed_title || ' (' || entity_name || ')' as feed_label
    from by_feed

)

select
    indicator_code,
    period_id,
    cast(sum(expected) as integer) as deliveries_expected,
    cast(sum(received) as integer) as deliveries_received,
    bool_or(is_truncated) as is_truncated,
    bool_or(has_no_data) as has_no_data,
    bool_or(resubmitted) as is_restated,
    -- why, for people: a value is null, partial or restated
    nullif(concat_ws('; ',
        string_agg(
            case
                when has_no_data and expected = 0 and span_start < feed_first_period_start
                    then 'No data before ' || strftime(feed_first_period_start, '%B %Y') || ': '
                        || feed_label || ' is delivered from then on'
                when has_no_data and expected = 0
                    then 'Not delivered yet: ' || feed_label || ' (not due yet)'
                when has_no_data
                    then 'No delivery of ' || feed_label || ' for ' || not_received
                when received < expected
                    then 'Missing delivery of ' || feed_label || ' for ' || not_received
            end,
            '; ' order by feed
        ),
        string_agg(
            case
                when is_truncated and not has_no_data
                    then 'Partial: rests on ' || feed_label || ' from '
                        || strftime(feed_first_period_start, '%B %Y')
                        || ' on; earlier records are not in the warehouse'
            end,
            '; ' order by feed
        ),
        string_agg(
            case
                when resubmitted
                    then 'Restated: ' || feed_label || ' for ' || resubmitted_periods
                        || ' was corrected by a resubmission'
            end,
            '; ' order by feed
        )
    ), '') as coverage_note
from judged
group by indicator_code, period_id
