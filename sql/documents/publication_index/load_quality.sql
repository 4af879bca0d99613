-- The run's data quality per source.
select source, files_loaded as files, files_rejected as rejected, rows_read, rows_loaded, rows_quarantined
from mart.load_quality
where year = :year
order by source
