"""The analysis output tables (core.*, migration 005, published through the mart.* views) and their columns,
declared once: the modules that produce them build their frames with these columns, analyse_year stores
them, and tests/unit/test_analysis_tables.py checks them against the migrations' `create table`. Every table
also has `year` first, added when a year's rows are stored."""
from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    # Objectivity of ВПР: one row per school × subject × grade × signal (objectivity.signals).
    "core.objectivity_signal": (
        "school_code", "subject", "grade", "signal_code", "signal_kind", "value", "threshold", "flagged",
        "participants", "school_value", "reference_value", "p_value", "verdict_ru", "estimate", "estimate_low",
        "estimate_high"),
    # The school's verdict per kind of signal (objectivity.verdicts).
    "core.objectivity_verdict": (
        "school_code", "signal_kind", "kind_name_ru", "groups_assessed", "groups_flagged", "agrees", "evidence_ru",
        "pooled_z"),
    # The school's status (run.py).
    "core.school_status": (
        "school_code", "municipality_code", "low_results", "unfavorable_conditions", "biased_results_suspected",
        "cluster", "head_effectiveness_score", "school_name", "results_score", "procedures_assessed",
        "procedures_low", "low_results_evidence_ru", "unfavorable_signs", "unfavorable_evidence_ru", "biased_kinds",
        "biased_evidence_ru", "context_residual_z", "successful_practice", "cluster_name_ru", "risk_factors_at_risk",
        "risk_factors_no_data"),
    # Risk profile (risk_profile.risk_profile).
    "core.school_risk_factor": (
        "school_code", "risk_factor_code", "risk_factor_name_ru", "at_risk", "evidence_ru", "metric_code", "value",
        "threshold", "region_median", "unit"),
    # Heads' effectiveness by direction (head_effectiveness.head_effectiveness).
    "core.head_effectiveness": (
        "school_code", "direction_code", "direction_name_ru", "score", "deficit", "evidence_ru"),
    # Successful practices (practices.practices).
    "core.successful_practice": ("school_code", "practice_code", "practice_name_ru", "evidence_ru"),
    # Clusters of schools and of municipalities, one row per cluster (clusters.*_clusters).
    "core.analysis_cluster": ("level", "cluster", "name_ru", "members", "k", "silhouette", "centre", "centre_ru"),
    # Municipalities: rating, expert review, cluster, counts (municipalities.municipalities, run.py).
    "core.municipality_status": (
        "municipality_code", "municipality_name", "schools", "score", "rank", "indicators_used",
        "expert_review_selected", "expert_review_reason_ru", "cluster", "cluster_name_ru", "low_result_schools",
        "unfavorable_schools", "biased_suspected_schools", "successful_practice_schools", "head_effectiveness_mean",
        "vpr_share"),
    # The rating's indicators: municipal value against the region (municipalities.municipalities).
    "core.municipality_indicator": (
        "municipality_code", "indicator_code", "name_ru", "polarity", "value", "region_value", "gap", "gap_sd",
        "municipal_rank", "rating_z", "vpr_based"),
    # Links between indicators over a municipality's schools (municipalities.correlations).
    "core.municipality_correlation": (
        "municipality_code", "indicator_x", "indicator_y", "schools", "r_municipality", "r_region", "gap", "flagged",
        "evidence_ru"),
    # Effect of last year's measures (measure_effects.effects).
    "core.measure_effect": (
        "level", "recommendation_code", "indicator_code", "recommendation_year", "treated_units", "control_units",
        "treated_before", "treated_after", "control_before", "control_after", "treated_change", "control_change",
        "did", "se", "improvement", "verdict_ru", "comparison", "estimate", "t_stat", "df", "p_value"),
    # The in-depth expertise's basis and both signals (expertise.expertise).
    "core.municipality_expertise": (
        "municipality_code", "basis", "monitoring_percent", "monitoring_rank", "monitoring_indicators",
        "product_score", "product_rank", "selected", "reason_ru"),
    # A municipality's own risk profile (expertise.municipal_risk).
    "core.municipality_risk_factor": (
        "municipality_code", "risk_factor_code", "risk_factor_name_ru", "value", "region_value", "at_risk",
        "evidence_ru"),
    # Goals and their achievement (targets.target_results).
    "core.target_result": (
        "level", "unit_code", "indicator_code", "name_ru", "unit", "polarity", "goal_ru", "target", "value",
        "achieved", "gap", "proposed_next", "evidence_ru"),
    # Completeness of the management cycle (cycle.management_cycle).
    "core.management_cycle": (
        "municipality_code", "mechanism_code", "mechanism_name_ru", "goals_set", "indicators_computed",
        "monitoring_received", "analysis_done", "measures_recorded", "effect_analysed", "indicator_codes",
        "recommendation_codes", "evidence_ru"),
}

# One row per analysed year (settings' checksum, summary), written by analyse_year itself.
RUN_TABLE = "core.analysis_run"
TABLES = (*COLUMNS, RUN_TABLE)


def columns(table: str) -> list[str]:
    """The columns of an output table besides `year`, in the migration's order (a new list each time)."""
    return list(COLUMNS[table])
