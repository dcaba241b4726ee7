"""Issue #13: the source was stored as the form name, so stats split Facebook across form names.

`[sources.families]` groups form names under a family; `stats` groups by family, drills into one
family's forms with `--source FAMILY`, and shows every form with `--by form`.
"""

from __future__ import annotations

from datetime import timedelta

from leadchase.sources import family_of, named_family
from leadchase.workspace import Workspace
from tests.conftest import PHONES, SF_MORNING, import_lead, run, run_json

FAMILIES = {"Facebook": ("FB *", "*facebook*"), "Zillow": ("zillow*",)}
NOW = SF_MORNING + timedelta(days=1)


def test_a_form_name_belongs_to_the_first_family_whose_pattern_matches() -> None:
    assert family_of("FB Buyer Guide Form", FAMILIES) == "Facebook"
    assert family_of("  my FACEBOOK refi form", FAMILIES) == "Facebook"
    assert family_of("facebook", FAMILIES) == "Facebook"  # the family's own name
    assert family_of("Zillow Premier Agent", FAMILIES) == "Zillow"
    assert family_of("LendingTree", FAMILIES) == "LendingTree"  # no family: itself
    assert named_family("FACEBOOK", FAMILIES) == "Facebook"
    assert named_family("FB Buyer Guide Form", FAMILIES) is None


def _seed(workspace: Workspace) -> None:
    text = workspace.settings_file.read_text(encoding="utf-8")
    text = text.replace('# "Facebook" = 25.0', '"Facebook" = 20.0\n"Facebook Refi Form" = 30.0')
    families = '"Facebook" = ["FB *", "*facebook*"]\nZillow = "zillow*"'
    text = text.replace('# "Facebook" = ["FB *", "*facebook*"]', families)
    workspace.settings_file.write_text(text, encoding="utf-8")
    sources = ["FB Buyer Guide Form", "FB Buyer Guide Form", "Facebook Refi Form", "Zillow"]
    for n, source in enumerate(sources):
        import_lead(
            workspace, SF_MORNING, phone=PHONES[n], email=f"l{n}@example.com", source=source
        )


def _rows(document: dict[str, object]) -> dict[str, tuple[int, float | None]]:
    conversion = document["conversion"]
    assert isinstance(conversion, dict)
    return {row["source"]: (row["leads"], row["cost_per_lead"]) for row in conversion["sources"]}


def test_stats_group_by_family_and_drill_down_by_form(workspace: Workspace) -> None:
    _seed(workspace)
    everything = run_json("stats", "--since", "all", now=NOW)
    assert _rows(everything) == {"Facebook": (3, 20.0), "Zillow": (1, None)}
    opt_outs = [row["source"] for row in everything["opt_outs"]["by_source"]]
    assert opt_outs == ["Facebook", "Zillow"]

    facebook = run_json("stats", "--since", "all", "--source", "facebook", now=NOW)
    assert facebook["leads"] == 3 and facebook["source"] == "Facebook"
    # Within a family, by form; a form without its own cost has the family's.
    assert _rows(facebook) == {"FB Buyer Guide Form": (2, 20.0), "Facebook Refi Form": (1, 30.0)}
    assert _rows(run_json("stats", "--since", "all", "--source", "Facebook", "--by", "family",
                          now=NOW)) == {"Facebook": (3, 20.0)}  # fmt: skip

    by_form = run_json("stats", "--since", "all", "--by", "form", now=NOW)
    assert set(_rows(by_form)) == {"FB Buyer Guide Form", "Facebook Refi Form", "Zillow"}

    one_form = run_json("stats", "--since", "all", "--source", "fb buyer guide form", now=NOW)
    assert one_form["leads"] == 2 and _rows(one_form) == {"Facebook": (2, 20.0)}


def test_a_bad_grouping_or_family_is_one_line(workspace: Workspace) -> None:
    result = run("stats", "--by", "vendor", now=NOW)
    assert result.exit_code == 2  # a usage error: the choices are named
    assert "'vendor' is not one of 'officer', 'family', 'form'" in " ".join(result.stderr.split())
    text = workspace.settings_file.read_text(encoding="utf-8")
    text = text.replace('# "Facebook" = ["FB *", "*facebook*"]', "Facebook = 3")
    workspace.settings_file.write_text(text, encoding="utf-8")
    broken = run("stats", now=NOW)
    assert broken.exit_code != 0 and "Traceback" not in broken.output
    assert '[sources.families] "Facebook"' in broken.stderr
    assert 'a list of quoted source names, e.g. ["FB *"]' in broken.stderr
