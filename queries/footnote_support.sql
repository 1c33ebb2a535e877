-- title: What each footnote supports
-- question: What each footnote supports
-- description: The article's footnotes in order, with the work each cites and the facts (table and id) whose
--   sentences carry it.
-- parameters: {}
select number, kind, work, pages, facts, supports
from footnote_facts
order by number
