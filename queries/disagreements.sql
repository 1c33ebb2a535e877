-- title: Where the sources disagree
-- question: Where the two texts disagree
-- description: Every fact the texts give differently, with the value the row holds, the readings that support
--   it and the one that contradicts it, each with its citation.
-- parameters: {}
select target_table, target_id, target, supporting_readings, contradicted_at, other_reading
from disagreement_readings
order by rowid
