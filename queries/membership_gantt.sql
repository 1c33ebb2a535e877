-- title: Membership spans (Gantt data)
-- question: Guillermo Lora's memberships as spans on a time axis (any person, organization or both)
-- description: The rows the membership chart (/memberships) draws, for a person, an organization (ids, e.g.
--   guillermo-lora, por), both, or everyone when both are empty. dating says what the texts give — dated (start
--   and end), open_end (a start only), open_start (an end only), undated (neither); uncertain is 1 for a date
--   marked ? ~ or X. possible_from and possible_to bound what the texts leave open by the organization's founding
--   and dissolution and the person's birth and death, where known; the chart never draws that range as certain.
-- parameters:
--   person: guillermo-lora
--   organization: ''
select p.name as person, o.name as organization, coalesce(o.abbreviation, o.name) as organization_short, m.role,
       m.start_date, m.end_date, m.end_reason,
       case when m.start_date is not null and m.end_date is not null then 'dated'
            when m.start_date is not null then 'open_end'
            when m.end_date is not null then 'open_start'
            else 'undated' end as dating,
       (coalesce(m.start_date, '') || coalesce(m.end_date, '')) glob '*[?~X%]*' as uncertain,
       m.start_date_earliest as start_earliest, m.start_date_latest as start_latest,
       m.end_date_earliest as end_earliest, m.end_date_latest as end_latest,
       coalesce(max(o.founding_date_earliest, p.birth_date_earliest), o.founding_date_earliest, p.birth_date_earliest) as possible_from,
       coalesce(min(o.dissolution_date_latest, p.death_date_latest), o.dissolution_date_latest, p.death_date_latest) as possible_to,
       m.id as membership_id, m.person_id, m.organization_id
from memberships m join people p on p.id = m.person_id join organizations o on o.id = m.organization_id
where (:person = '' or m.person_id = (select resolve_id('people', :person)))
  and (:organization = '' or m.organization_id = (select resolve_id('organizations', :organization)))
order by m.start_date_earliest is null and m.end_date_earliest is null, coalesce(m.start_date_earliest, m.end_date_earliest),
         p.name, o.name, m.role
