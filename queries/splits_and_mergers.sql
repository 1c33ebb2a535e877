-- title: Splits, mergers, successions and renamings in order
-- question: Every split and merger in order
-- description: Every split, merger, succession and renaming between organizations, with the split and merger
--   events, in date order.
-- parameters: {}
select date, kind, what, note, id
from organization_changes
order by rowid
