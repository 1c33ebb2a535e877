-- title: Who belonged to an organization on a date
-- question: Who was in the POR in 1953? (any organization, any EDTF date)
-- description: Members and office-holders of an organization (id) on an EDTF date (1952, 1952-04, 1952-04-09).
--   A membership known only to the year counts for all of that year; one with a start and no end counts
--   from its start on; memberships the texts do not date at all are left out.
-- parameters:
--   date: '1953'
--   organization: por
select p.name as person, m.role, m.start_date, m.end_date, m.end_reason, m.id as membership
from memberships m join people p on p.id = m.person_id
where m.organization_id = :organization
  and (m.start_date is not null or m.end_date is not null)
  and edtf_latest(:date) is not null
  and coalesce(m.start_date_earliest, '0000-01-01') <= edtf_latest(:date)
  and coalesce(m.end_date_latest, '9999-12-31') >= edtf_earliest(:date)
order by m.start_date_earliest, p.name
