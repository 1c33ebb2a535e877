-- title: A footnote
-- description: 'One footnote of the article (its id, e.g. fn-22): the facts whose sentences carry it, with the
--   locator and stance of each. The footnote''s page shows the same rows.'
-- page: footnotes
-- parameters:
--   footnote: fn-22
select 'Facts it supports' as section, ct.target as name, replace(ct.target_table, '_', ' ') as kind,
       ct.locator, ct.stance, ct.note, ct.target_table as link_table, ct.target_id as link_id
from citation_targets ct
where ct.footnote_id = :footnote
order by ct.target_table, ct.target
