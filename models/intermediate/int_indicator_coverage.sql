-- What each indicator value rests on: the deliveries of its source feeds (catalogue
-- `source_feeds`) that were expected over the span of records the value uses, and how many
-- arrived (DHIS2's reporting rate). One row per indicator x period x geo_code, where geo_code is
-- null for indicators whose feeds are each delivered for the whole country (the row holds for
-- every place), and a place (NAT, province, district) for indicators with a feed compiled from
-- provincial offices' reports (a contract's `reporting_units`: the delivery status then has one
-- row per province): a province and its districts rest on their own office's reports, the nation
-- on every office's.
-- The span is
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

feeds as (

    select
        feed,
        any_value(entity_name) as entity_name,
        any_value(feed_title) as feed_title,
        bool_or(is_periodic) as is_periodic,
        min(feed_first_period_start) as feed_first_period_start,
        bool_or(unit_code is not null) as by_unit
    from deliveries
    group by 1

),

provinces as (

    select unit_code as province_code, unit_name as province_name
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'province'

),

-- per indicator x period x source feed x unit (null: the whole country): deliveries expected
-- over the span, and received. Feeds never delivered nor expected are unknown to the pipeline:
-- nothing to judge.
by_unit as (

    select
        spans.indicator_code,
        spans.period_id,
        spans.span_start,
        indicator_feeds.feed,
        feeds.entity_name,
        feeds.feed_title,
        coalesce(feeds.is_periodic, false) as is_periodic,
        feeds.feed_first_period_start,
        feeds.by_unit,
        deliveries.unit_code,
        count(deliveries.feed_period) as expected,
        count(deliveries.feed_period) filter (where deliveries.is_received) as received,
        coalesce(bool_or(deliveries.files_accepted > 1), false) as resubmitted,
        string_agg(
            deliveries.feed_period
            || case when deliveries.status = 'refused' then ' (refused)' else '' end,
            ', ' order by deliveries.feed_period
        ) filter (where not deliveries.is_received) as not_received,
        string_agg(distinct deliveries.feed_period, ', ' order by deliveries.feed_period)
            filter (where deliveries.files_accepted > 1) as resubmitted_periods
    from spans
    inner join indicator_feeds
        on indicator_feeds.indicator_code = spans.indicator_code
    inner join feeds
        on feeds.feed = indicator_feeds.feed
    left join deliveries
        on deliveries.feed = indicator_feeds.feed
        and deliveries.feed_period_start <= spans.period_end
        and deliveries.feed_period_end >= spans.span_start
    group by all

),

-- the places each row applies to: every place (null) for indicators without provincial reports;
-- otherwise the nation, each province and each district (with its province)
places as (

    select null as geo_code, null as province_code
    union all
    select 'NAT', null
    union all
    select province_code, province_code from provinces  -- noqa: AL08
    union all
    select unit_code, parent_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

flagged as (

    select *, bool_or(by_unit) over (partition by indicator_code) as has_unit_feed
    from by_unit

),

by_place as (

    -- feeds delivered for the whole country hold for every place
    select flagged.* exclude (unit_code, has_unit_feed), places.geo_code, false as is_national_sum  -- noqa: RF02, LT05
    from flagged
    inner join places
        on (places.geo_code is null) <> flagged.has_unit_feed
    where not flagged.by_unit

    union all

    -- a province and its districts: their own office's reports
    select flagged.* exclude (unit_code, has_unit_feed), places.geo_code, false  -- noqa: RF02
    from flagged
    inner join places
        on places.province_code = flagged.unit_code
    where flagged.by_unit

    union all

    -- the nation: every office's reports; missing ones named with their province
    select
        flagged.indicator_code, flagged.period_id, flagged.span_start, flagged.feed,
        flagged.entity_name, flagged.feed_title, flagged.is_periodic,
        flagged.feed_first_period_start, flagged.by_unit,
        sum(flagged.expected), sum(flagged.received), bool_or(flagged.resubmitted),
        case
            when sum(flagged.received) = 0 then any_value(flagged.not_received)
            else string_agg(
                provinces.province_name || ' for ' || flagged.not_received, '; '
                order by flagged.unit_code
            )
        end,
        string_agg(distinct flagged.resubmitted_periods, ', '),
        'NAT',
        true
    from flagged
    left join provinces
        on provinces.province_code = flagged.unit_code
    where flagged.by_unit
    group by all

),

judged as (

    select
        *,
        is_periodic and span_start < feed_first_period_start as is_truncated,
        is_periodic and received = 0 as has_no_data,
        feed_title || ' (' || entity_name || ')' as feed_label
    from by_place

),

explained as (

    select
        *,
        case
            when has_no_data and expected = 0 and span_start < feed_first_period_start
                then 'No data before ' || strftime(feed_first_period_start, '%B %Y') || ': '
                    || feed_label || ' is delivered from then on'
            when has_no_data and expected = 0
                then 'Not delivered yet: ' || feed_label || ' (not due yet)'
            when has_no_data and by_unit and not is_national_sum
                then 'No report from this province''s office in ' || feed_label || ' for '
                    || not_received
            when has_no_data
                then 'No delivery of ' || feed_label || ' for ' || not_received
            when received < expected and is_national_sum
                then 'Missing provincial reports in ' || feed_label || ': ' || not_received
            when received < expected and by_unit
                then 'Missing report from this province''s office in ' || feed_label || ' for '
                    || not_received
            when received < expected
                then 'Missing delivery of ' || feed_label || ' for ' || not_received
        end as gap_note,
        case
            when is_truncated and not has_no_data
                then 'Partial: rests on ' || feed_label || ' from '
                    || strftime(feed_first_period_start, '%B %Y')
                    || ' on; earlier records are not in the warehouse'
        end as truncation_note,
        case
            when resubmitted
                then 'Restated: ' || feed_label || ' for ' || resubmitted_periods
                    || ' was corrected by a resubmission'
        end as restatement_note
    from judged

)

select
    indicator_code,
    period_id,
    geo_code,
    cast(sum(expected) as integer) as deliveries_expected,
    cast(sum(received) as integer) as deliveries_received,
    bool_or(is_truncated) as is_truncated,
    bool_or(has_no_data) as has_no_data,
    bool_or(resubmitted) as is_restated,
    -- why, for people: a value is null, partial or restated
    nullif(concat_ws('; ',
        string_agg(gap_note, '; ' order by feed),
        string_agg(truncation_note, '; ' order by feed),
        string_agg(restatement_note, '; ' order by feed)
    ), '') as coverage_note
from explained
group by indicator_code, period_id, geo_code  -- noqa: AM06
