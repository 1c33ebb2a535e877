-- description: Every work the article's footnotes cite, with how many footnotes cite it and how many facts
--   those footnotes support. Computed once by the build (it counts every citation); the queries
--   most_cited_works and citations_per_work read it.
-- materialize: true
-- columns:
--   id: The work (sources).
--   author: Its author as printed.
--   title: Its title.
--   year: Its year of publication.
--   volume: Its volume, where it has one.
--   work: Author, year and volume in one label (the chart's axis).
--   footnotes: How many of the article's footnotes cite it.
--   facts: How many citations (facts) those footnotes support.
select s.id, s.author, s.title, s.year, s.volume,
       coalesce(s.author, '') || ' ' || coalesce(s.year, '') || coalesce(' T. ' || s.volume, '') as work,
       count(distinct f.id) as footnotes, count(c.id) as facts
from sources s
join footnotes f on f.source_id = s.id
left join citations c on c.footnote_id = f.id
group by s.id
order by s.id
