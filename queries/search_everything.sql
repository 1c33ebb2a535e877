-- title: Search people, organizations, events, places and sources at once
-- question: Search everything, in any spelling or script
-- description: Full-text search across people, organizations, events, places and cited works. Accents are
--   ignored; Latin and Cyrillic spellings, pseudonyms and abbreviations count; singular and plural forms find
--   each other (Thesis, Theses). Records whose name matches come first (the one of each kind that the words name
--   best at the top), then those that only mention the words; within each, people, organizations, places, events
--   and works, best match first.
-- parameters:
--   q: Лечин
with resolved(kind, id) as (
  values ('people', resolve_id('people', :q)), ('organizations', resolve_id('organizations', :q)),
         ('events', resolve_id('events', :q)), ('places', resolve_id('places', :q)), ('sources', resolve_id('sources', :q))
),
matches as (
  select 'people' as kind, p.id, p.name, p.other_names as detail,
         f.rowid in (select rowid from people_fts where people_fts match '{name name_ru other_names} : (' || escape_fts(:q) || ')') as name_match,
         bm25(people_fts, 10, 10, 5, 1) as rank
    from people_fts f join people p on p.rowid = f.rowid where :q != '' and people_fts match escape_fts(:q)
  union all
  select 'organizations', o.id, o.name, coalesce(o.abbreviation || '; ', '') || coalesce(o.other_names, ''),
         f.rowid in (select rowid from organizations_fts where organizations_fts match '{name name_es name_ru abbreviation other_names} : (' || escape_fts(:q) || ')'),
         bm25(organizations_fts, 10, 10, 10, 10, 10, 1)
    from organizations_fts f join organizations o on o.rowid = f.rowid where :q != '' and organizations_fts match escape_fts(:q)
  union all
  select 'events', e.id, e.name, e.start_date,
         f.rowid in (select rowid from events_fts where events_fts match '{name} : (' || escape_fts(:q) || ')'),
         bm25(events_fts, 5, 1)
    from events_fts f join events e on e.rowid = f.rowid where :q != '' and events_fts match escape_fts(:q)
  union all
  select 'places', pl.id, pl.name, pl.name_ru, 1, bm25(places_fts, 10, 10)
    from places_fts f join places pl on pl.rowid = f.rowid where :q != '' and places_fts match escape_fts(:q)
  union all
  select 'sources', s.id, coalesce(s.title, s.id), s.author,
         f.rowid in (select rowid from sources_fts where sources_fts match '{title author} : (' || escape_fts(:q) || ')'),
         bm25(sources_fts, 5, 5, 2, 1)
    from sources_fts f join sources s on s.rowid = f.rowid where :q != '' and sources_fts match escape_fts(:q)
)
select m.kind, m.id, m.name, m.detail, case when m.name_match then 'name' else 'mention' end as matched_in, m.rank
from matches m left join resolved r on r.kind = m.kind and r.id = m.id
order by m.name_match desc, r.id is not null desc, case m.kind when 'people' then 1 when 'organizations' then 2 when 'places' then 3 when 'events' then 4 else 5 end, m.rank
