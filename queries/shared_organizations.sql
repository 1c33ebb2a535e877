-- title: People who shared an organization with a person
-- question: Who shared an organization with Edwin Möller?
-- description: Everyone who belonged to the same organization as a person (an id such as edwin-moller, or a name
--   in any spelling, e.g. Edwin Moller or Моллер) at overlapping times. Undated memberships overlap by assumption;
--   the dates_known column says whether both were dated.
-- parameters:
--   person: edwin-moller
select other.name as person, o.name as organization, theirs.role as their_role, mine.role as role_of_given_person,
       theirs.start_date as their_start, theirs.end_date as their_end, mine.start_date, mine.end_date,
       (mine.start_date is not null or mine.end_date is not null) and (theirs.start_date is not null or theirs.end_date is not null) as dates_known
from memberships mine
join memberships theirs on theirs.organization_id = mine.organization_id and theirs.person_id != mine.person_id
join people other on other.id = theirs.person_id
join organizations o on o.id = mine.organization_id
where mine.person_id = (select resolve_id('people', :person))
  and coalesce(mine.start_date_earliest, '0000-01-01') <= coalesce(theirs.end_date_latest, '9999-12-31')
  and coalesce(theirs.start_date_earliest, '0000-01-01') <= coalesce(mine.end_date_latest, '9999-12-31')
order by o.name, other.name
