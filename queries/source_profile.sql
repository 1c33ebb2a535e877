-- title: A cited work
-- description: 'One work (its id, e.g. lora-1978-t3, or words of its title or author): the footnotes of the article that cite it, with their pages,
--   and the facts whose sentences carry those footnotes. The work''s page shows the same rows.'
-- page: sources
-- parameters:
--   source: lora-1978-t3
select * from (
  select 'Footnotes citing it' as section, 'Footnote ' || f.number as name, f.pages as detail,
         'footnotes' as link_table, f.id as link_id
  from footnotes f where f.source_id = (select resolve_id('sources', :source))
  order by f.number)
union all
-- Through the index on footnotes (source_id, number): one footnote's facts sorted at a time, not all at once.
select * from (
  select 'Facts these footnotes support', ct.target, 'fn ' || f.number || ', ' || ct.stance, ct.target_table, ct.target_id
  from footnotes f join citation_targets ct on ct.footnote_id = f.id
  where f.source_id = (select resolve_id('sources', :source))
  order by f.number, ct.target)
