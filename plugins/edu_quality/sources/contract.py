"""The input contract (shared/contracts/sources.md) as data.

Readers, validators, loaders and the sample generator all take headers, layouts and rule codes from
here, so a producer that follows the contract and the pipeline that consumes it cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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
}

# --- Enumerations ---
SCHOOL_TYPES = ("НОШ", "ООШ", "СОШ", "СОШ с УИОП", "гимназия", "лицей", "школа-интернат",
                "кадетская школа", "вечерняя школа", "ЦО")
LOCALITIES = ("городская", "сельская")
VPR_SUBJECTS = ("Русский язык", "Математика", "Окружающий мир", "История", "Биология", "География",
                "Обществознание", "Физика", "Химия", "Английский язык")
GIA_FORMS = ("ОГЭ", "ЕГЭ", "ГВЭ")
GIA_STATUSES = ("действителен", "аннулирован", "пересдача")
QUALIFICATION_CATEGORIES = ("высшая", "первая", "без категории")
OLYMPIAD_STAGES = ("школьный", "муниципальный", "региональный", "заключительный")
OLYMPIAD_STATUSES = ("участник", "призёр", "победитель")
YES_NO = ("да", "нет")
MEASURE_LEVELS = ("ОО", "МО")

# Columns that carry personal data: dropped on read wherever they appear (matched after normalisation).
PERSONAL_DATA_HEADERS = ("фио", "фамилия", "имя", "отчество", "снилс", "дата рождения", "паспорт",
                         "адрес", "телефон", "фио участника", "фио педагога")

# A ВПР task header: task id, then its maximum score in brackets: `1 (1б)`, `12К1 (2б)`.
VPR_TASK_HEADER_RE = r"^\s*(?P<task>\d+[\wА-Яа-я.]*)\s*\(\s*(?P<max>\d+)\s*б\.?\s*\)\s*$"
NOT_ATTEMPTED = ("X", "Х", "Н", "N")  # Latin and Cyrillic: both occur in real exports


@dataclass(frozen=True)
class Column:
    header: str            # as the contract writes it
    name: str              # the warehouse column name
    kind: str = "text"     # text | int | number | date | bool
    required: bool = True  # the header must be present
    nullable: bool = False  # an empty cell is allowed


@dataclass(frozen=True)
class Source:
    name: str               # schools, vpr, vpr_scales, gia, gia_thresholds, self_evaluation, ...
    pattern: str            # where its files are, relative to <inbox>/<year>/
    many: bool              # a folder of any number of files
    required: bool
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SCHOOLS = Source("schools", "schools.*", many=False, required=True, columns=(
    Column("Код ОО", "school_code"),
    Column("Наименование ОО", "school_name"),
    Column("Код МО", "municipality_code"),
    Column("Муниципальное образование", "municipality_name"),
    Column("Тип ОО", "school_type"),
    Column("Местность", "locality"),
    Column("Руководитель", "head_name", nullable=True),
    Column("Дата назначения руководителя", "head_appointed_on", "date", nullable=True),
    Column("Численность обучающихся", "students", "int"),
    Column("Доля обучающихся из малообеспеченных семей, %", "low_income_pct", "number",
           required=False, nullable=True),
    Column("Доля обучающихся, для которых русский язык не родной, %", "non_native_pct", "number",
           required=False, nullable=True),
    Column("Доля обучающихся с ОВЗ, %", "disability_pct", "number", required=False, nullable=True),
))

VPR = Source("vpr", "vpr/*", many=True, required=True, columns=(
    Column("Муниципалитет", "municipality_label", required=False, nullable=True),
    Column("ОО", "school_code"),
    Column("Название ОО", "school_label", required=False, nullable=True),
    Column("Предмет", "subject"),
    Column("Параллель", "grade", "int"),
    Column("Класс", "class_label"),
    Column("Код участника", "participant_code"),
    Column("Вариант", "variant", "int"),
    Column("Первичный балл", "primary_score", "int"),
    Column("Отметка", "mark", "int"),
    Column("Отметка по журналу", "journal_mark", "int", nullable=True),
))

VPR_SCALES = Source("vpr_scales", "vpr_scales.*", many=False, required=True, columns=(
    Column("Год", "year", "int"),
    Column("Предмет", "subject"),
    Column("Параллель", "grade", "int"),
    Column("Максимальный балл", "max_score", "int"),
    Column("Граница «3»", "min_score_3", "int"),
    Column("Граница «4»", "min_score_4", "int"),
    Column("Граница «5»", "min_score_5", "int"),
))

GIA = Source("gia", "gia/*", many=True, required=True, columns=(
    Column("Код ОО", "school_code"),
    Column("Код участника", "participant_code"),
    Column("Форма", "exam_form"),
    Column("Предмет", "subject"),
    Column("Дата экзамена", "exam_date", "date"),
    Column("Первичный балл", "primary_score", "int"),
    Column("Тестовый балл", "test_score", "int", nullable=True),
    Column("Отметка", "mark", "int", nullable=True),
    Column("Статус", "status"),
))

GIA_THRESHOLDS = Source("gia_thresholds", "gia_thresholds.*", many=False, required=True, columns=(
    Column("Год", "year", "int"),
    Column("Форма", "exam_form"),
    Column("Предмет", "subject"),
    Column("Минимальный тестовый балл", "min_test_score", "int", nullable=True),
    Column("Граница «3»", "min_score_3", "int", nullable=True),
    Column("Граница «4»", "min_score_4", "int", nullable=True),
    Column("Граница «5»", "min_score_5", "int", nullable=True),
))

# Self-evaluation indicator columns are matched by their leading number (`1.5 ...`), not listed here.
SELF_EVALUATION = Source("self_evaluation", "self_evaluation.*", many=False, required=True, columns=(
    Column("Отметка времени", "submitted_at", "text"),
    Column("Код ОО", "school_code"),
))

TEACHERS = Source("teachers", "teachers.*", many=False, required=False, columns=(
    Column("Код ОО", "school_code"),
    Column("Код педагога", "teacher_code"),
    Column("Должность", "position"),
    Column("Квалификационная категория", "qualification_category"),
    Column("Педагогический стаж, лет", "experience_years", "int"),
    Column("Возраст, лет", "age_years", "int"),
    Column("Прошёл диагностику профессиональных дефицитов", "deficit_diagnosed", "bool"),
    Column("ДПО за последние 3 года, часов", "cpd_hours_3y", "int"),
    Column("ДПО по адресной программе", "targeted_programme", "bool"),
    Column("Эксперт ГИА/олимпиад", "is_expert", "bool"),
    Column("Педагогическое образование", "pedagogical_education", "bool"),
))

OLYMPIADS = Source("olympiads", "olympiads.*", many=False, required=False, columns=(
    Column("Год", "year", "int"),
    Column("Этап", "stage"),
    Column("Предмет", "subject"),
    Column("Код ОО", "school_code"),
    Column("Код участника", "participant_code"),
    Column("Класс", "grade", "int"),
    Column("Статус", "status"),
))

MEASURES = Source("measures", "measures.*", many=False, required=False, columns=(
    Column("Год", "year", "int"),
    Column("Уровень", "level"),
    Column("Код", "unit_code"),
    Column("Код рекомендации", "recommendation_code"),
    Column("Мера", "measure"),
    Column("Ответственный", "responsible"),
    Column("Срок", "due_date", "date"),
    Column("Исполнено", "done", "bool"),
))

SOURCES: dict[str, Source] = {s.name: s for s in (
    SCHOOLS, VPR_SCALES, VPR, GIA_THRESHOLDS, GIA, SELF_EVALUATION, TEACHERS, OLYMPIADS, MEASURES)}

# Sources whose rows are checked against references loaded earlier in the same year.
REFERENCES: dict[str, tuple[str, ...]] = {
    "vpr": ("schools", "vpr_scales"),
    "gia": ("schools", "gia_thresholds"),
    "self_evaluation": ("schools",),
    "teachers": ("schools",),
    "olympiads": ("schools",),
    "measures": ("schools",),
}

# Load order: references before the files that point at them.
LOAD_ORDER = ("schools", "vpr_scales", "gia_thresholds", "vpr", "gia", "self_evaluation",
              "teachers", "olympiads", "measures")

FILE_EXTENSIONS = (".csv", ".txt", ".xlsx")
