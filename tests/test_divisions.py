from corpus.divisions import issuer_level


def test_prefecture_level_city_resolves_to_its_province():
    assert issuer_level("滨州市人民代表大会常务委员会") == ("prefectural", "山东省")
    assert issuer_level("深圳市人民代表大会常务委员会") == ("prefectural", "广东省")
    assert issuer_level("山东省滨州市人民政府") == ("prefectural", "山东省")


def test_municipality_and_province_are_provincial():
    assert issuer_level("上海市人民代表大会常务委员会") == ("provincial", "上海市")
    assert issuer_level("北京市经济和信息化局") == ("provincial", "北京市")
    assert issuer_level("广西壮族自治区人民政府办公厅") == ("provincial", "广西壮族自治区")


def test_autonomous_prefecture_short_form_and_county_units():
    assert issuer_level("阿坝州人民政府办公室") == ("prefectural", "四川省")
    assert issuer_level("杭州市西湖区人民政府") == ("county", "浙江省")
    assert issuer_level("上海市浦东新区人民政府") == ("county", "上海市")
    assert issuer_level("济源市人民政府") == ("county", "河南省")  # administered by its province directly


def test_central_organs_are_national_and_unknown_names_are_none():
    assert issuer_level("国务院") == ("national", None)
    assert issuer_level("最高人民法院; 最高人民检察院") == ("national", None)
    assert issuer_level("国家互联网信息办公室") == ("national", None)
    assert issuer_level("公安部") == ("national", None)
    assert issuer_level("Congressional Research Service") == (None, None)
    assert issuer_level("北京大学") == (None, None)
    assert issuer_level(None) == (None, None)


def test_long_names_resolve_in_linear_time():
    assert issuer_level("省" * 100_000) == (None, None)


def test_ingest_fills_genre_issuer_level_and_province(tmp_path):
    from corpus.pipeline.ingest import ingest

    (tmp_path / "binzhou.md").write_text("# 滨州市社会治理网格化服务管理条例\n\n第一条 为规范网格化服务管理，制定本条例。\n",
                                         encoding="utf-8")
    (tmp_path / "essay.txt").write_text("An essay on grids.\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text('[[document]]\nfile = "binzhou.md"\ngenre = "local regulation"\n'
                                           'issuer = "滨州市人民代表大会常务委员会"\n', encoding="utf-8")
    docs, warnings = ingest(tmp_path)
    assert warnings == []
    row = docs.set_index("source_file").loc["binzhou.md"]
    assert (row["genre"], row["issuer"], row["issuer_level"], row["province"]) == (
        "local regulation", "滨州市人民代表大会常务委员会", "prefectural", "山东省")
    essay = docs.set_index("source_file").loc["essay.txt"]
    assert essay["genre"] is None and essay["issuer_level"] is None


def test_administrative_level_and_division_of_local_governments():
    from corpus.divisions import administrative_level, division_of, short_form

    assert administrative_level("北京市人民政府") == "municipality"
    assert administrative_level("武汉市人民政府") == "sub-provincial city; provincial capital"
    assert administrative_level("宁波市人民政府") == "sub-provincial city"
    assert administrative_level("银川市人民政府") == "provincial capital"
    assert administrative_level("滨州市人民政府") == "prefecture-level city"
    assert administrative_level("凉山彝族自治州人民政府") == "autonomous prefecture"
    assert administrative_level("锡林郭勒盟行政公署") == "league"
    assert administrative_level("天门市人民政府") == "county-level city (administered by the province)"
    assert administrative_level("黄山市黄山区人民政府") == "district"
    assert administrative_level("恩施州恩施市人民政府") == "county-level city"
    assert administrative_level("国务院") is None and administrative_level(None) is None
    assert division_of("山东省滨州市人民政府").name == "滨州市" and division_of("吉林市人民政府").level == "prefectural"
    assert short_form("黔东南苗族侗族自治州人民政府") == "黔东南州人民政府"
