-- title: A person's profile
-- question: "Guillermo Lora's profile: memberships, events, citations (any person)"
-- description: 'Everything about one person (give the id, e.g. guillermo-lora, or the exact name): memberships
--   with dates, events with roles, and where the texts say so.'
-- parameters:
--   person: guillermo-lora
with person as (select id from people where id = :person or name = :person)
select 'membership' as kind, o.name as what, m.role, m.start_date, m.end_date, m.note,
       (select group_concat(c.source_id || ' ' || c.locator, '; ') from citations c where c.membership_id = m.id) as cited_at
from memberships m join organizations o on o.id = m.organization_id
where m.person_id in (select id from person)
union all
select 'event', e.name, ep.role, e.start_date, e.end_date, ep.note,
       (select group_concat(c.source_id || ' ' || c.locator, '; ') from citations c where c.participant_id = ep.id)
from event_participants ep join events e on e.id = ep.event_id
where ep.person_id in (select id from person)
union all
select 'mention', p.name, null, null, null, c.note, c.source_id || ' ' || c.locator
from citations c join people p on p.id = c.person_id
where c.person_id in (select id from person)
order by kind desc, start_date
