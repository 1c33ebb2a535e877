-- description: The article's footnotes in order, with the work each cites and the facts (table and id) whose
--   sentences carry it. Computed once by the build (it reads every citation); the query footnote_support
--   reads it.
-- materialize: true
-- columns:
--   number: The footnote's number in the article.
--   kind: What the footnote is (footnotes.kind).
--   work: The author and title of the work it cites.
--   pages: The pages it cites.
--   facts: How many facts (citations) it supports.
--   supports: Those facts, as table and id; past 1,000 (only in synthetic data scaled up for benchmarks; a real
--     footnote supports a few dozen) how many more.
--   footnote_id: The footnote (footnotes).
select number, kind, work, pages, facts,
       supports || case when facts > 1000 then '; … and ' || (facts - 1000) || ' more' else '' end as supports,
       footnote_id
from (
  select f.number, f.kind, coalesce(s.author || ', ', '') || coalesce(s.title, '') as work, f.pages,
         (select count(*) from citations c where c.footnote_id = f.id) as facts,
         (select group_concat(target, '; ') from (
            select c.target_table || ': ' || c.target_id as target from citations c where c.footnote_id = f.id
            order by c.id limit 1000)) as supports,
         f.id as footnote_id
  from footnotes f
  left join sources s on s.id = f.source_id
)
order by number
