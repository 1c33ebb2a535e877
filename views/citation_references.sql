-- description: Every citation as one readable reference (text, locator, footnote; a contradicting reading with
--   what it claims), for the sections of the reading pages.
-- columns:
--   id: Citation id (citations).
--   target_table: The table of the cited fact.
--   target_id: The id of the cited fact.
--   stance: supports or contradicts.
--   reference: 'The compiled text, where in it, the footnote number; for a contradicting citation, "contradicted by" and what it claims.'
select c.id, c.target_table, c.target_id, c.stance,
       case c.stance when 'contradicts' then 'contradicted by ' else '' end
       || case c.source_id when 'ru-article' then 'article' when 'en-overview' then 'overview' else c.source_id end
       || ' ' || c.locator
       || case when c.locator = 'fn ' || f.number then '' else coalesce(' (fn ' || f.number || ')', '') end
       || case c.stance when 'contradicts' then coalesce(': ' || c.note, '') else '' end as reference
from citations c left join footnotes f on f.id = c.footnote_id
