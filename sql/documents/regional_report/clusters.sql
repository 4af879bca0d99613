-- Clusters of municipalities, then of schools.
select level, cluster, name_ru, members
from mart.clusters
where year = :year
order by level desc, cluster
