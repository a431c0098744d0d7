"""The indicator catalogue: what the issue asks for, loaded idempotently."""

from sqlmodel import select

from app.catalog import read
from app.datapackages import catalog
from app.datapackages.models import Indicator, IndicatorArea, Unit


def test_catalogue_holds_the_indicators(db):
    catalog.ensure_loaded(db)
    ind = {i.key: i for i in db.exec(select(Indicator))}
    for key in ("trivsel_social", "trivsel_faglig", "trivsel_stoette_inspiration",
                "trivsel_ro_orden", "trivsel_samlet"):
        assert ind[key].unit is Unit.SCORE and (ind[key].scale_min, ind[key].scale_max) == (1, 5)
        assert ind[key].grades == "4.–9. klasse" and ind[key].arrival_months == [1, 2, 3]
    assert ind["trivsel_03_glad_for_skolen"].grades == "0.–3. klasse"
    assert {k for k in ind if k.startswith("fravaer_")} == {
        "fravaer_samlet", "fravaer_sygdom", "fravaer_tilladelse", "fravaer_ulovligt"}
    assert all(ind[k].higher_is_better is False for k in ind if k.startswith("fravaer_"))
    reading = sorted(int(k.rsplit("_", 1)[1]) for k in ind
                     if k.startswith("overgang_laesning_") and k[-1].isdigit())
    maths = sorted(int(k.rsplit("_", 1)[1]) for k in ind
                   if k.startswith("overgang_matematik_") and k[-1].isdigit())
    assert reading == [2, 3, 4, 6, 8] and maths == [2, 4, 6, 7, 8]
    # Svendborg 3.1: the shares of the very best and the weakest, the girl–boy gap (tests);
    # the year's marks beside the exam grades; the share with the highest wellbeing.
    for subject in ("laesning", "matematik"):
        assert ind[f"overgang_{subject}_allerdygtigste"].higher_is_better is True
        assert ind[f"overgang_{subject}_daarligste"].higher_is_better is False
        gap = ind[f"overgang_koensforskel_{subject}"]
        assert gap.higher_is_better is None and gap.scale_min == -100
    assert ind["standpunkt_bundne_gennemsnit"].unit is Unit.GRADE
    assert ind["trivsel_hoejest_andel"].unit is Unit.PERCENT
    for key in ind:
        if key.startswith("overgang_"):
            assert ind[key].confidential and (ind[key].first_year, ind[key].last_year) == (2022, 2025)
        if key.startswith("faerdighed_"):
            assert ind[key].confidential and (ind[key].first_year, ind[key].last_year) == (2026, None)
    assert not any(i.confidential for k, i in ind.items()
                   if not k.startswith(("overgang_", "faerdighed_")))
    assert ind["afgang_bundne_gennemsnit"].unit is Unit.GRADE
    assert ind["afgang_koensforskel"].higher_is_better is None
    assert {"socio_reference", "loefteevne_1aar", "loefteevne_3aar", "elever_antal",
            "klasser_antal", "elever_saerlige_behov", "kedsomhed_03", "kedsomhed_49",
            "stoette_inspiration_hoejest"} <= set(ind)
    assert all(i.source and i.arrival_months for i in ind.values())


def test_loading_twice_changes_nothing_and_a_changed_file_updates_in_place(db):
    entries = read("indicators")
    list(catalog.load(db, entries))
    ids = {i.key: i.id for i in db.exec(select(Indicator))}
    assert list(catalog.load(db, entries)) == []
    area = db.exec(select(IndicatorArea).where(IndicatorArea.key == "absence")).one()
    area.digest = "changed"  # as if the file had changed
    db.add(area)
    db.commit()
    assert list(catalog.load(db, entries)) == ["Loaded 1 indicator areas (41 indicators)."]
    assert {i.key: i.id for i in db.exec(select(Indicator))} == ids
