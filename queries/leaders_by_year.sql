-- title: Leaders of an organization by year
-- question: Who led the POR, year by year?
-- description: "Everyone the texts name as leader, general secretary, president or secretary of an organization (its
--   id, name or abbreviation), one row per year the texts' dates support: a span gives every year from its start to
--   its end, a single date its own year. Leaderships the texts date to no single year (undated, or only a decade
--   such as 193X) are listed last, without a year."
-- parameters:
--   organization: por
with recursive
organization as (
  select id from organizations
  where id = (select resolve_id('organizations', :organization))
),
leaderships as (
  select m.*, coalesce(m.start_year, m.end_year) as first_year, coalesce(m.end_year, m.start_year) as last_year
  from memberships m
  where m.organization_id in (select id from organization)
    and m.role in ('leader', 'general_secretary', 'president', 'secretary')
),
years(membership, year) as (
  select id, first_year from leaderships where first_year is not null
  union all
  select y.membership, y.year + 1 from years y join leaderships l on l.id = y.membership where y.year < l.last_year
)
select * from (
select y.year, p.name as person, l.role, l.start_date, l.end_date, l.id as membership, p.id as person_id
from years y join leaderships l on l.id = y.membership join people p on p.id = l.person_id
union all
select null, p.name, l.role, l.start_date, l.end_date, l.id, p.id
from leaderships l join people p on p.id = l.person_id
where l.first_year is null
) order by year is null, year, person
