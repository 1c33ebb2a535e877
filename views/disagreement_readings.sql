-- description: Every fact the texts give differently, with the readings that support the value the row holds
--   and the one that contradicts it, each with its citation. Computed once by the build from disputed_facts;
--   the query disagreements reads it.
-- materialize: true
-- columns:
--   target_table: The table of the disputed fact.
--   target_id: The id of the disputed fact.
--   target: Its name where it has one.
--   supporting_readings: The citations behind the value the row holds (text, locator and note).
--   contradicted_at: The text and locator of the other reading.
--   other_reading: What the other reading claims.
select d.target_table, d.target_id, d.target,
       (select group_concat(s.source_id || ' ' || s.locator || coalesce(': ' || s.note, ''), ' | ')
          from citations s where s.target_table = d.target_table and s.target_id = d.target_id and s.stance = 'supports') as supporting_readings,
       d.contradicting_source || ' ' || d.contradicting_locator as contradicted_at,
       d.other_reading
from disputed_facts d
order by d.target_table, d.target_id
