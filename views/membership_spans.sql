-- description: Every membership with the person's and organization's names and its dates, ready to read.
-- columns:
--   id: The membership id (memberships).
--   person: Name of the person.
--   organization: Name of the organization.
--   abbreviation: The organization's abbreviation.
--   role: Role held.
--   start_date: Start, EDTF.
--   end_date: End, EDTF.
--   end_reason: Why it ended.
--   start_date_earliest: Earliest ISO day the start can mean.
--   end_date_latest: Latest ISO day the membership can have lasted to (its end, or else its start).
--   start_year: Year it began.
--   person_id: The person (people).
--   organization_id: The organization (organizations).
--   note: Qualifications.
SELECT
  m.id,
  p.name AS person,
  o.name AS organization,
  o.abbreviation,
  m.role,
  m.start_date,
  m.end_date,
  m.end_reason,
  m.start_date_earliest,
  coalesce(m.end_date_latest, m.start_date_latest) AS end_date_latest,
  m.start_year,
  m.person_id,
  m.organization_id,
  m.note
FROM memberships m
JOIN people p ON p.id = m.person_id
JOIN organizations o ON o.id = m.organization_id
