-- Names of the headline indicators the catalogue has.
select indicator_code, name_ru
from core.indicator
where indicator_code = any(:indicator_codes)
