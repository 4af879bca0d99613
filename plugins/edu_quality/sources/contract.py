"""The input contract (shared/contracts/sources.md) as data: rule codes and their texts, the
enumerations, personal-data headers. Each source itself is described in include/sources/<name>.yaml
(sources/description.py); the names below are read from those descriptions, so a producer that follows
the contract (the sample generator) and the pipeline that consumes it cannot drift apart."""
from __future__ import annotations

from edu_quality.sources.description import allowed_values, descriptions
from edu_quality.sources.model import Column, Source  # noqa: F401  (re-exported: readers import them from here)

# --- Rule codes: the reason a row is quarantined (stable identifiers, Russian text in RULE_TEXT_RU) ---
REQUIRED_MISSING = "required_missing"          # a required cell is empty
BAD_TYPE = "bad_type"                          # not an integer / number / date
OUT_OF_RANGE = "out_of_range"                  # number outside the allowed range
NOT_IN_SET = "not_in_set"                      # value outside an enumeration
BAD_FORMAT = "bad_format"                      # text that does not match its pattern (e.g. school code)
DUPLICATE_KEY = "duplicate_key"                # key repeated within the file
UNKNOWN_SCHOOL = "unknown_school"              # school code not in schools.*
CLASS_GRADE_MISMATCH = "class_grade_mismatch"  # ВПР: number in `Класс` differs from `Параллель`
TASK_SCORE_OUT_OF_RANGE = "task_score_out_of_range"  # ВПР: a task score outside 0..max
PRIMARY_SCORE_MISMATCH = "primary_score_mismatch"    # ВПР: `Первичный балл` != sum of tasks
MARK_SCALE_MISMATCH = "mark_scale_mismatch"          # `Отметка` differs from the year's scale
NO_SCALE = "no_scale"                                # no scale for the subject/grade/year
DATE_IN_FUTURE = "date_in_future"
DATE_OUT_OF_WINDOW = "date_out_of_window"            # ГИА exam date outside the school year
FIELD_NOT_EXPECTED = "field_not_expected"            # e.g. a test score for ОГЭ, a mark for ЕГЭ profile
SHARE_COUNT_MISMATCH = "share_count_mismatch"        # self-evaluation: stated % disagrees with counts
INCONSISTENT_NAME = "inconsistent_name"              # schools: two names for one municipality code
EXTRA_CELLS = "extra_cells"                          # more cells than headers: shifted columns
SUPERSEDED = "superseded"                            # self-evaluation: a later submission replaces it
SCHOOL_ROW_QUARANTINED = "school_row_quarantined"    # the school's own row of schools.* was quarantined
UNKNOWN_MUNICIPALITY = "unknown_municipality"        # municipality code not in schools.*

RULE_TEXT_RU = {
    REQUIRED_MISSING: "не заполнено обязательное поле",
    BAD_TYPE: "значение не распознано как число или дата",
    OUT_OF_RANGE: "значение вне допустимого диапазона",
    NOT_IN_SET: "значение не из допустимого списка",
    BAD_FORMAT: "значение не соответствует формату",
    DUPLICATE_KEY: "повтор ключа (в этом файле или в другом файле того же года)",
    UNKNOWN_SCHOOL: "код ОО отсутствует в справочнике школ",
    CLASS_GRADE_MISMATCH: "номер класса не совпадает с параллелью",
    TASK_SCORE_OUT_OF_RANGE: "балл за задание вне диапазона 0..максимум",
    PRIMARY_SCORE_MISMATCH: "первичный балл не равен сумме баллов за задания",
    MARK_SCALE_MISMATCH: "отметка не соответствует шкале перевода",
    NO_SCALE: "нет шкалы перевода для предмета и параллели",
    DATE_IN_FUTURE: "дата в будущем",
    DATE_OUT_OF_WINDOW: "дата вне учебного года",
    FIELD_NOT_EXPECTED: "поле не должно быть заполнено для этой формы/предмета",
    SHARE_COUNT_MISMATCH: "указанная доля не согласуется с указанными численностями",
    INCONSISTENT_NAME: "для одного кода МО указаны разные наименования",
    EXTRA_CELLS: "в строке больше ячеек, чем столбцов в заголовке (сдвиг столбцов)",
    SUPERSEDED: "заменена более поздней отправкой той же школы (учтена последняя)",
    SCHOOL_ROW_QUARANTINED: "строка школы в справочнике отклонена",
    UNKNOWN_MUNICIPALITY: "код МО отсутствует в справочнике школ",
}

RULE_TEXT_EN = {
    REQUIRED_MISSING: "required value is empty",
    BAD_TYPE: "value is not a valid number or date",
    OUT_OF_RANGE: "value out of range",
    NOT_IN_SET: "value not in the allowed set",
    BAD_FORMAT: "value does not match the format",
    DUPLICATE_KEY: "key repeated (in this file or another file of the year)",
    UNKNOWN_SCHOOL: "school code not in the schools reference",
    CLASS_GRADE_MISMATCH: "class number differs from grade",
    TASK_SCORE_OUT_OF_RANGE: "task score outside 0..max",
    PRIMARY_SCORE_MISMATCH: "primary score is not the sum of task scores",
    MARK_SCALE_MISMATCH: "mark disagrees with the year's scale",
    NO_SCALE: "no scale for the subject and grade",
    DATE_IN_FUTURE: "date in the future",
    DATE_OUT_OF_WINDOW: "date outside the school year",
    FIELD_NOT_EXPECTED: "field must be empty for this form/subject",
    SHARE_COUNT_MISMATCH: "stated share disagrees with stated counts",
    INCONSISTENT_NAME: "one municipality code has several names",
    EXTRA_CELLS: "more cells than headers (shifted columns)",
    SUPERSEDED: "replaced by a later submission of the same school",
    SCHOOL_ROW_QUARANTINED: "the school's row in the schools reference was quarantined",
    UNKNOWN_MUNICIPALITY: "municipality code not in the schools reference",
}

# --- Enumerations: as the sources' descriptions list them (include/sources/*.yaml, `allowed`) ---
SCHOOL_TYPES = allowed_values("schools", "school_type")
LOCALITIES = allowed_values("schools", "locality")
VPR_SUBJECTS = allowed_values("vpr", "subject")
GIA_FORMS = allowed_values("gia", "exam_form")
GIA_STATUSES = allowed_values("gia", "status")
QUALIFICATION_CATEGORIES = allowed_values("teachers", "qualification_category")
OLYMPIAD_STAGES = allowed_values("olympiads", "stage")
OLYMPIAD_STATUSES = allowed_values("olympiads", "status")
YES_NO = ("да", "нет")
MEASURE_LEVELS = allowed_values("measures", "level")

# Columns that carry personal data: dropped on read wherever they appear (matched after normalisation).
PERSONAL_DATA_HEADERS = ("фио", "фамилия", "имя", "отчество", "снилс", "дата рождения", "паспорт",
                         "адрес", "телефон", "фио участника", "фио педагога")

# A ВПР task header: task id, then its maximum score in brackets: `1 (1б)`, `12К1 (2б)`.
VPR_TASK_HEADER_RE = r"^\s*(?P<task>\d+[\wА-Яа-я.]*)\s*\(\s*(?P<max>\d+)\s*б\.?\s*\)\s*$"
NOT_ATTEMPTED = ("X", "Х", "Н", "N")  # Latin and Cyrillic: both occur in real exports


# The contract's own sources (tables in `core`), in load order; sources a region adds load into `ext`.
# Another format of a contract source's data (`format_of`) loads into its table but is not a source of the contract.
SOURCES: dict[str, Source] = {n: d.source() for n, d in descriptions().items()
                              if d.table.startswith("core.") and not d.format_of}
LOAD_ORDER = tuple(SOURCES)
REFERENCES: dict[str, tuple[str, ...]] = {n: d.references for n, d in descriptions().items() if d.references}
SCHOOLS, VPR_SCALES, VPR = SOURCES["schools"], SOURCES["vpr_scales"], SOURCES["vpr"]
GIA_THRESHOLDS, GIA, SELF_EVALUATION = SOURCES["gia_thresholds"], SOURCES["gia"], SOURCES["self_evaluation"]
TEACHERS, OLYMPIADS, MEASURES = SOURCES["teachers"], SOURCES["olympiads"], SOURCES["measures"]
HEADS, MUNICIPAL_MONITORING = SOURCES["heads"], SOURCES["municipal_monitoring"]

FILE_EXTENSIONS = (".csv", ".txt", ".xlsx")
