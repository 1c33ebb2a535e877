-- title: Where the sources disagree
-- question: Where the two texts disagree
-- description: Every fact the texts give differently, with the value the row holds, the readings that support
--   it and the one that contradicts it, each with its citation.
-- parameters: {}
select d.target_table, d.target_id, d.target,
       (select group_concat(s.source_id || ' ' || s.locator || coalesce(': ' || s.note, ''), ' | ')
          from citations s where s.target_table = d.target_table and s.target_id = d.target_id and s.stance = 'supports') as supporting_readings,
       d.contradicting_source || ' ' || d.contradicting_locator as contradicted_at,
       d.other_reading
from disputed_facts d
order by d.target_table, d.target_id
