"""The pooled verdict of a kind (objectivity.pooled_z): a weak deviation in every group of one school adds up to a
sign, while lasting differences between schools — which make a school's groups agree with each other — do not."""
import numpy as np
import pandas as pd
from scipy import stats as sps

from edu_quality.analysis.objectivity import pooled_z

SETTINGS = {"objectivity": {"rollup": {"pooled": {"z_min": 3.5, "min_groups": 2, "null_min_schools": 20}}}}
GROUPS = 16


def _assessed(z: np.ndarray) -> pd.DataFrame:
    """Rows of the jump signal for schools × groups with the given z of each group."""
    schools, groups = z.shape
    return pd.DataFrame({
        "school_code": np.repeat([f"OO{i:03d}" for i in range(schools)], groups),
        "subject": np.tile([f"S{j}" for j in range(groups)], schools),
        "signal_code": "jump",
        "p_value": sps.norm.sf(z.ravel()),
    })


def test_a_weak_deviation_in_every_group_is_found_though_no_group_reaches_a_threshold():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(80, GROUPS))
    z[7] += 1.2  # a weak inflation everywhere: p ≈ 0.12 in a typical group
    assert (sps.norm.sf(z[7]) < 0.01).sum() <= 3
    got = pooled_z(_assessed(z), SETTINGS)
    assert got[("OO007", "jump")] >= 3.5
    others = [v for (school, _), v in got.items() if school != "OO007"]
    assert max(others) < 3.5


def test_lasting_differences_between_schools_widen_the_null_instead_of_flagging_the_strong():
    rng = np.random.default_rng(2)
    # Each school has its own level in every subject (sd 1 in z units): 16 groups sum to sd 4 per school, so
    # the theoretical null (sd 1) would call about a fifth of the region biased.
    z = rng.normal(size=(80, 1)) + rng.normal(size=(80, GROUPS))
    theoretical = z.sum(axis=1) / np.sqrt(GROUPS)
    assert (theoretical >= 3.5).sum() >= 5
    got = pooled_z(_assessed(z), SETTINGS)
    assert sum(v >= 3.5 for v in got.values()) <= 1


def test_too_few_schools_keep_the_theoretical_null_and_one_group_is_not_pooled():
    z = np.full((5, 4), 2.0)
    got = pooled_z(_assessed(z), SETTINGS)
    assert abs(got[("OO000", "jump")] - 4.0) < 1e-9  # 4 groups × 2 / √4, measured from 0 with spread 1
    assert pooled_z(_assessed(np.full((30, 1), 5.0)), SETTINGS) == {}


def test_a_kind_with_two_signals_takes_the_larger():
    frame = pd.concat([_assessed(np.full((3, 4), 1.0)),
                       _assessed(np.full((3, 4), 2.0)).assign(signal_code="journal_gap_2plus"),
                       _assessed(np.full((3, 4), 0.5)).assign(signal_code="journal_lowered")])
    got = pooled_z(frame, SETTINGS)
    assert abs(got[("OO001", "journal")] - 4.0) < 1e-9 and abs(got[("OO001", "jump")] - 2.0) < 1e-9


def test_boundary_alone_makes_a_verdict_only_at_its_own_threshold_and_no_other_kind_does():
    from edu_quality.analysis.objectivity import school_verdict
    from edu_quality.analysis.settings import load_settings

    settings = load_settings()
    alone = settings["objectivity"]["rollup"]["pooled"]["alone_z_by_kind"]
    assert set(alone) == {"boundary"}

    def row(school, kind, agrees, z):
        return dict(school_code=school, signal_kind=kind, kind_name_ru=f"Вид {kind}", groups_assessed=16,
                    groups_flagged=3, agrees=agrees, evidence_ru=f"{kind}: пример", pooled_z=z)

    ver = pd.DataFrame([row("A", "boundary", True, alone["boundary"] + 0.1), row("B", "boundary", True,
                        alone["boundary"] - 0.1), row("C", "jump", True, 20.0), row("D", "boundary", False, None)])
    out = school_verdict(ver, settings)["biased_results_suspected"].to_dict()
    assert out == {"A": True, "B": False, "C": False, "D": False}
    assert "одного этого вида достаточно" in school_verdict(ver, settings).at["A", "biased_evidence_ru"]
