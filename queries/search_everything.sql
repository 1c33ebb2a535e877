-- title: Search people, organizations, events, places and sources at once
-- question: Search everything, in any spelling or script
-- description: Full-text search across people, organizations, events, places and cited works. Accents are
--   ignored; Latin and Cyrillic spellings, pseudonyms and abbreviations count; singular and plural forms find
--   each other (Thesis, Theses). Records whose name matches come first (the one of each kind that the words name
--   best at the top), then those that only mention the words; within each, people, organizations, places, events
--   and works, best match first.
-- parameters:
--   q: Лечин
with
-- The answer is read in its order rather than sorted whole: a UNION ALL gives its parts one after the other and a
-- page stops reading at its last row, so only the parts it shows are ranked (bm25 costs about a microsecond a
-- match, and a common word matches most rows). The parts, in order: the record of each kind the words name, if
-- its name matches; the other records whose name matches, kind by kind, best first; the named records that only
-- mention the words; the other mentions, kind by kind, best first. Of equal ranks, the first row comes first.
-- `+` keeps a list of rowids from being handed to the full-text index, which would search again for each of them.
people_matches as not materialized (
  select 'people' as kind, p.id, p.name, p.other_names as detail, bm25(people_fts, 10, 10, 5, 1) as rank, f.rowid as fts_rowid,
         p.id is (select resolve_id('people', :q)) as named
    from people_fts f join people p on p.rowid = f.rowid where :q != '' and people_fts match escape_fts(:q)
),
people_names as not materialized (
  select rowid from people_fts where people_fts match '{name name_ru other_names} : (' || escape_fts(:q) || ')'
),
organizations_matches as not materialized (
  select 'organizations' as kind, o.id, o.name, coalesce(o.abbreviation || '; ', '') || coalesce(o.other_names, '') as detail,
         bm25(organizations_fts, 10, 10, 10, 10, 10, 1) as rank, f.rowid as fts_rowid,
         o.id is (select resolve_id('organizations', :q)) as named
    from organizations_fts f join organizations o on o.rowid = f.rowid where :q != '' and organizations_fts match escape_fts(:q)
),
organizations_names as not materialized (
  select rowid from organizations_fts
   where organizations_fts match '{name name_es name_ru abbreviation other_names} : (' || escape_fts(:q) || ')'
),
-- A place's every searched column is a name.
places_matches as not materialized (
  select 'places' as kind, pl.id, pl.name, pl.name_ru as detail, bm25(places_fts, 10, 10) as rank, f.rowid as fts_rowid,
         pl.id is (select resolve_id('places', :q)) as named
    from places_fts f join places pl on pl.rowid = f.rowid where :q != '' and places_fts match escape_fts(:q)
),
events_matches as not materialized (
  select 'events' as kind, e.id, e.name, e.start_date as detail, bm25(events_fts, 5, 1) as rank, f.rowid as fts_rowid,
         e.id is (select resolve_id('events', :q)) as named
    from events_fts f join events e on e.rowid = f.rowid where :q != '' and events_fts match escape_fts(:q)
),
events_names as not materialized (select rowid from events_fts where events_fts match '{name} : (' || escape_fts(:q) || ')'),
sources_matches as not materialized (
  select 'sources' as kind, s.id, coalesce(s.title, s.id) as name, s.author as detail, bm25(sources_fts, 5, 5, 2, 1) as rank,
         f.rowid as fts_rowid, s.id is (select resolve_id('sources', :q)) as named
    from sources_fts f join sources s on s.rowid = f.rowid where :q != '' and sources_fts match escape_fts(:q)
),
sources_names as not materialized (select rowid from sources_fts where sources_fts match '{title author} : (' || escape_fts(:q) || ')')
select kind, id, name, detail, 'name' as matched_in, rank from people_matches m
 where named and exists (select 1 from people_names n where n.rowid = m.fts_rowid)
union all select kind, id, name, detail, 'name', rank from organizations_matches m
 where named and exists (select 1 from organizations_names n where n.rowid = m.fts_rowid)
union all select kind, id, name, detail, 'name', rank from places_matches where named
union all select kind, id, name, detail, 'name', rank from events_matches m
 where named and exists (select 1 from events_names n where n.rowid = m.fts_rowid)
union all select kind, id, name, detail, 'name', rank from sources_matches m
 where named and exists (select 1 from sources_names n where n.rowid = m.fts_rowid)
union all select * from (select kind, id, name, detail, 'name', rank from people_matches
                          where +fts_rowid in (select rowid from people_names) and not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'name', rank from organizations_matches
                          where +fts_rowid in (select rowid from organizations_names) and not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'name', rank from places_matches where not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'name', rank from events_matches
                          where +fts_rowid in (select rowid from events_names) and not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'name', rank from sources_matches
                          where +fts_rowid in (select rowid from sources_names) and not named order by rank, fts_rowid)
union all select kind, id, name, detail, 'mention', rank from people_matches m
 where named and not exists (select 1 from people_names n where n.rowid = m.fts_rowid)
union all select kind, id, name, detail, 'mention', rank from organizations_matches m
 where named and not exists (select 1 from organizations_names n where n.rowid = m.fts_rowid)
union all select kind, id, name, detail, 'mention', rank from events_matches m
 where named and not exists (select 1 from events_names n where n.rowid = m.fts_rowid)
union all select kind, id, name, detail, 'mention', rank from sources_matches m
 where named and not exists (select 1 from sources_names n where n.rowid = m.fts_rowid)
union all select * from (select kind, id, name, detail, 'mention', rank from people_matches
                          where +fts_rowid not in (select rowid from people_names) and not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'mention', rank from organizations_matches
                          where +fts_rowid not in (select rowid from organizations_names) and not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'mention', rank from events_matches
                          where +fts_rowid not in (select rowid from events_names) and not named order by rank, fts_rowid)
union all select * from (select kind, id, name, detail, 'mention', rank from sources_matches
                          where +fts_rowid not in (select rowid from sources_names) and not named order by rank, fts_rowid)
