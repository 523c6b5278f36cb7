-- Empty here: the pipeline fills it when it publishes the build, with every check result the
-- build's audit.check_results holds (cpmonitor.pipeline._finalise_build), so the columns and
-- their constraints are this model's contract.
select
    cast(null as varchar) as run_id,
    cast(null as timestamp) as checked_at,
    cast(null as varchar) as suite,
    cast(null as varchar) as target,
    cast(null as varchar) as expectation,
    cast(null as varchar) as column_name,
    cast(null as boolean) as success,
    cast(null as varchar) as severity,
    cast(null as bigint) as unexpected_count,
    cast(null as varchar) as details

where false
