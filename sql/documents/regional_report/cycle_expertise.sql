-- Every municipality's place on both signals of the in-depth expertise's selection.
select e.municipality_code, s.municipality_name, e.basis, e.selected, e.monitoring_percent, e.monitoring_rank,
       e.product_score, e.product_rank
from mart.municipal_expertise e
join mart.municipality_status s using (year, municipality_code)
where e.year = :year
order by e.monitoring_rank nulls last, e.product_rank nulls last, e.municipality_code
