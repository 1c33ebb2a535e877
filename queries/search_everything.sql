-- title: Search people, organizations, events, places and sources at once
-- question: Search everything, in any spelling or script
-- description: Full-text search (accents ignored; Latin and Cyrillic spellings, pseudonyms and abbreviations
--   included) across people, organizations, events, places and cited works, people first, then organizations,
--   places, events and works, each best match first (a match in a name counts more than one in a summary).
-- parameters:
--   q: Лечин
select * from (
  select 'people' as kind, p.id, p.name, p.other_names as detail, bm25(people_fts, 10, 10, 5, 1) as rank
    from people_fts f join people p on p.rowid = f.rowid where :q != '' and people_fts match escape_fts(:q)
  union all
  select 'organizations', o.id, o.name, coalesce(o.abbreviation || '; ', '') || coalesce(o.other_names, ''), bm25(organizations_fts, 10, 10, 10, 10, 10, 1)
    from organizations_fts f join organizations o on o.rowid = f.rowid where :q != '' and organizations_fts match escape_fts(:q)
  union all
  select 'events', e.id, e.name, e.start_date, bm25(events_fts, 5, 1)
    from events_fts f join events e on e.rowid = f.rowid where :q != '' and events_fts match escape_fts(:q)
  union all
  select 'places', pl.id, pl.name, pl.name_ru, bm25(places_fts, 10, 10)
    from places_fts f join places pl on pl.rowid = f.rowid where :q != '' and places_fts match escape_fts(:q)
  union all
  select 'sources', s.id, coalesce(s.title, s.id), s.author, bm25(sources_fts, 5, 5, 2, 1)
    from sources_fts f join sources s on s.rowid = f.rowid where :q != '' and sources_fts match escape_fts(:q)
) order by case kind when 'people' then 1 when 'organizations' then 2 when 'places' then 3 when 'events' then 4 else 5 end, rank
