-- Names and units of the indicators the report ranks and charts by.
select indicator_code, name_ru, unit
from core.indicator
where indicator_code = any(:indicator_codes)
