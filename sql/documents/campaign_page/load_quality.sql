-- Data quality per source so far.
select source, files_loaded as files, files_rejected as rejected, rows_read, rows_quarantined
from mart.load_quality
where year = :year
order by source
