-- title: Who belonged to an organization on a date
-- question: Who was in the POR in 1952? (any organization, any EDTF date)
-- description: "Members and office-holders of an organization (its id, name or abbreviation: por, POR, COB) on an
--   EDTF date (1952, 1952-04, 1952-04-09). First those the texts place there: a span from start to end that covers
--   the date, or a single start or end date that falls within it (an open-ended membership is not carried past
--   what the texts say). Then, marked undated, the memberships the texts give no date for at all. Founding an
--   organization is not counted as membership."
-- parameters:
--   organization: por
--   date: '1952'
with organization as (
  select id from organizations
  where id = (select resolve_id('organizations', :organization))
),
on_date(earliest, latest) as (select edtf_earliest(:date), edtf_latest(:date))
select p.name as person, m.role, m.start_date, m.end_date, m.end_reason,
       case when m.start_date is null and m.end_date is null then 'undated: the texts do not say when'
            else 'dated: the texts place it on this date' end as evidence,
       m.note, m.id as membership, p.id as person_id
from memberships m
join people p on p.id = m.person_id
join on_date d
where m.organization_id in (select id from organization)
  and m.role != 'founder'
  and d.latest is not null
  and (
    (m.start_date is null and m.end_date is null)
    or (coalesce(m.start_date_earliest, m.end_date_earliest) <= d.latest
        and coalesce(m.end_date_latest, m.start_date_latest) >= d.earliest)
  )
order by evidence, m.start_date_earliest, p.name
