-- The version of the analysis schema: dbt var `analysis_schema_version` (dbt_project.yml), whose
-- changes are listed in models/analysis/CHANGELOG.md.
{%- set version = var('analysis_schema_version') %}
select
    cast('{{ version }}' as varchar) as schema_version,
    cast({{ version.split('.')[0] }} as integer) as major_version,
    cast({{ version.split('.')[1] }} as integer) as minor_version
