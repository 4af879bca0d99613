-- Steps of the management cycle done, per municipality and mechanism.
select municipality_code, mechanism_code, mechanism_name_ru, steps_done
from mart.management_cycle
where year = :year
order by municipality_code, mechanism_code
