-- Every value follows from its own numerator and denominator: counts have no denominator and
-- value = numerator; rates are finite, null exactly when the denominator is 0 or unknown; AC05
-- has total rows only. Medians and survey estimates are values in their own right (their
-- numerator and denominator describe the records or sample behind them), so the rate rules do
-- not apply to them; medians have no numerator. A value resting on no delivery at all is null
-- with its numerator, and says why. Returns the offending rows.
select
    facts.*,
    indicators.unit
from {{ ref('fct_indicator_values') }} as facts
inner join {{ ref('dim_indicator') }} as indicators
    on indicators.indicator_code = facts.indicator_code
where
    (
        indicators.unit = 'count'
        and (facts.denominator is not null or facts.value <> facts.numerator)
    )
    or (
        indicators.unit <> 'count'
        and indicators.kind not in ('median', 'survey')
        and (
            (coalesce(facts.denominator, 0) = 0 and facts.value is not null)
            or (facts.denominator > 0 and facts.value is null and facts.numerator is not null)
        )
    )
    or (indicators.kind = 'median' and facts.numerator is not null)
    or (
        facts.numerator is null
        and facts.value is not null
        and indicators.kind not in ('median', 'survey')
    )
    or (
        facts.numerator is null
        and indicators.kind not in ('median', 'survey')
        and facts.coverage_note is null
    )
    or isnan(facts.value)
    or isinf(facts.value)
    or facts.numerator < 0
    or (facts.indicator_code = 'AC05' and facts.disaggregation <> 'total')
