"""What settings.yaml may name besides catalogue indicators: context fields of schools.*, values this layer
computes per school, and the an_* indicators it computes per municipality. The modules that read them and
the settings' check use these tables, so a name is known in one place."""
from __future__ import annotations

# Context fields of schools.* the analysis reads: name, unit.
SCHOOL_FIELDS = {
    "low_income_pct": ("доля обучающихся из малообеспеченных семей", "%"),
    "non_native_pct": ("доля обучающихся, для которых русский язык не родной", "%"),
    "disability_pct": ("доля обучающихся с ОВЗ", "%"),
    "students": ("численность обучающихся", "чел."),
    "rural": ("сельская местность (1 — да)", "ед."),
    "log_students": ("логарифм численности обучающихся", "ед."),
}

# Values this layer computes: name, unit, polarity.
ANALYSIS_METRICS = {
    "results_score": ("сводный результат оценочных процедур (процентильный ранг)", "балл", "higher_better"),
    "objectivity_score": ("объективность: 100 — сигналы не согласуются, 50 — один вид, 0 — признаки "
                          "необъективности", "балл", "higher_better"),
    "recommendations_covered": ("доля рекомендаций прошлого года, по которым приняты меры", "%", "higher_better"),
    "plan_on_time": ("доля рекомендаций прошлого года, меры по которым запланированы не позже срока рекомендации",
                     "%", "higher_better"),
    "assessment_recency": ("давность оценки компетенций (100 — оценка в конце отчётного года, 0 — срок её "
                           "действия истёк или оценки не было)", "балл", "higher_better"),
    "ovz_specialists_per_100": ("специалистов сопровождения на 100 обучающихся с ОВЗ", "ед.", "higher_better"),
    "gve_share_2": ("доля отметок «2» на ГВЭ", "%", "lower_better"),
}

# Indicators this layer computes for municipalities: name, polarity, unit.
ANALYSIS_INDICATORS = {
    "an_share_low_result_schools": ("Доля ОО с низкими результатами", "lower_better", "%"),
    "an_share_biased_schools": ("Доля ОО с признаками необъективности результатов", "lower_better", "%"),
    "an_mean_head_score": ("Средняя оценка эффективности руководителей ОО", "higher_better", "балл"),
    "an_rural_schools_share": ("Доля сельских ОО", "neutral", "%"),
}

# The sources each analysis indicator is built on (as a catalogue indicator's `source`): which composites
# rest partly on ВПР.
ANALYSIS_SOURCES = {
    "results_score": "vpr, gia",
    "objectivity_score": "vpr",
    "an_share_low_result_schools": "vpr, gia",
    "an_share_biased_schools": "vpr",
    "an_mean_head_score": "vpr, gia, olympiads, teachers, schools, self_evaluation, measures",
    "an_rural_schools_share": "schools",
}



def rests_on_vpr(source: str | None) -> bool:
    """Whether a source list as the catalogue writes it («vpr, gia») names ВПР."""
    return "vpr" in [s.strip() for s in str(source or "").split(",")]


# Features of the school clusters (clusters.school_clusters): school fields and the results score.
SCHOOL_CLUSTER_FEATURES = (*SCHOOL_FIELDS, "results_score")
