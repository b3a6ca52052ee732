import pandas as pd

from corpus.pipeline.citations import author_year_markers, parse_notes, parse_work, superscript_markers


def test_author_year_gives_one_row_per_work_and_flags_garbled():
    text = "censorship (Pan 2017; Yuan 2019), credit (Xu, Kostka, and Cao 2022), AI (Zeng 2020, 2022), early (Z= 2023)."
    found = [(t, ok) for _, _, t, ok in author_year_markers(text)]
    assert found == [("Pan 2017", True), ("Yuan 2019", True), ("Xu, Kostka, and Cao 2022", True),
                     ("Zeng 2020", True), ("2022", True), ("Z= 2023", False)]


def test_superscripts_follow_the_note_sequence_and_skip_other_numbers():
    texts = ["Held in 2019,1 is now in Issue 76 with 1,317 people and 93 percent at the level.2 Then",
             "the ‘mediation room’. 3 In 2021 the 18th plenum met.4"]
    assert [(i, n) for i, n, _, _ in superscript_markers(texts)] == [(0, 1), (0, 2), (1, 3), (1, 4)]


def test_notes_on_one_line_split_into_notes_and_works():
    line = "[1] A, “T1,” May 19, 2022, 澎湃, [2] B, “T2,” RFA,; C, “T3,” July 11, 2022, RFA, https://archive.ph/x."
    notes = parse_notes(line)
    assert [n for n, _, _ in notes] == [1, 2]


def test_parse_work_fields():
    w = parse_work("Yutian An and Taisu Zhang, “Pandemic State-building: Chinese Administrative Expansion Since 2012,” "
                   "Yale Law & Policy Review, forthcoming, https://example.org/x, 1, 4")
    assert w["authors"] == "Yutian An; Taisu Zhang"
    assert w["title"].startswith("Pandemic State-building")
    assert w["container"] == "Yale Law & Policy Review"
    assert w["url"] == "https://example.org/x"
    zh = parse_work("朱远祥, “多地村镇银行线上取款难背后,” May 19, 2022, 澎湃,")
    assert zh["date"] == "2022-05-19" and zh["title"] == "多地村镇银行线上取款难背后" and zh["language"] == "zh-Hans"
    assert parse_work("Ibid., 8, 25.")["kind"] == "ibid"


def test_seed_notes_links_and_urls(seed_release):
    refs = pd.read_parquet(seed_release / "references.parquet")
    docs = pd.read_parquet(seed_release / "documents.parquet")
    d001 = docs.loc[docs["source_file"].str.startswith("001"), "doc_id"].item()
    r = refs[refs["doc_id"] == d001]
    assert set(r["note_number"]) == set(range(1, 13))
    links = r.set_index("reference_id")["refers_to"].dropna().to_dict()
    # Ibid. to the note before it; short forms ("Marquez, “The Colour of Permission,” 92.") to the full reference
    assert links == {f"{d001}-n{n:04d}-1": f"{d001}-n{to:04d}-1" for n, to in ((4, 3), (6, 5), (9, 8), (10, 2))}
    # the URLs that only the repost's notes kept (every note but the two Ibid.)
    assert sorted(r.loc[r["url_from"].notna(), "note_number"]) == [1, 2, 3, 5, 6, 7, 8, 10, 11, 12]
    cites = pd.read_parquet(seed_release / "citations.parquet")
    c = cites[cites["doc_id"] == d001]
    assert len(c) == 12 and c["reference_id"].notna().all()


def test_extraction_finds_nothing_in_adversarial_input():
    # how long it takes on 5 MB of it: benchmarks/pathological_notes.py
    line = ("12345678901234567890 [[[ ((( “““ 1999 (A 2001; " * 2_000)[:100_000]
    assert author_year_markers(line) == []
    superscript_markers([line])
    parse_notes(line)


from hypothesis import given, settings, strategies as st  # noqa: E402

NOISY = st.text(alphabet=st.sampled_from(list("0123456789[]();,.“”\"' abcXYZ澎湃新华社-–andIbid")), max_size=400)


@settings(max_examples=150, deadline=None)
@given(NOISY)
def test_extractors_never_raise_and_offsets_index_the_text(text):
    for a, b, t, _ in author_year_markers(text):
        assert text[a:b] == t
    for i, n, a, b in superscript_markers([text]):
        assert text[a:b] == str(n)
    for n, a, b in parse_notes(text):
        assert 0 <= a <= b <= len(text)
        parse_work(text[a:b])


def test_numbered_notes_under_a_notes_heading_resolve_superscripts():
    from corpus.pipeline.citations import citations
    from corpus.pipeline.segment import segment
    from corpus.tables import frame

    text = ("Report on Governance\n\nThe county reported 1,317 cases in 2021.1 Officials met in 2022,2 and again later.3"
            "\n\nNotes\n\n1. Wang Li, “Grid Governance,” 人民日报, May 2, 2021.\n\n2. Ibid., 4.\n\n"
            "3. 新华社, “社会治理,” June 1, 2022, https://example.org/3.")
    docs = frame("documents", [{"doc_id": "d", "source_file": "d.txt", "text": text, "status": "built",
                                "title": "Report on Governance"}])
    _, paragraphs, _ = segment(docs)
    assert list(paragraphs["kind"])[-3:] == ["note", "note", "note"]
    cites, refs = citations(docs, paragraphs)
    assert sorted(cites["note_number"]) == [1, 2, 3]
    assert cites["reference_id"].notna().all()
    by = refs.set_index("note_number")
    assert by.loc[2, "kind"] == "ibid" and by.loc[2, "refers_to"] == by.loc[1, "reference_id"]
    assert by.loc[3, "url"] == "https://example.org/3" and by.loc[1, "container"] == "人民日报"


def test_seed_superscripts_footnotes_and_author_year(seed_release):
    docs = pd.read_parquet(seed_release / "documents.parquet")
    ids = dict(zip(docs["source_file"].str[:3], docs["doc_id"]))
    cites = pd.read_parquet(seed_release / "citations.parquet")
    essay = cites[cites["doc_id"] == ids["002"]]
    assert set(essay["style"]) == {"superscript"}
    assert sorted(essay["note_number"]) == list(range(1, 11))  # and no other number of the text (2019, 2021)
    ocr = cites[cites["doc_id"] == ids["003"]]
    assert (ocr["style"] == "author_year").sum() == 20  # every "(Name 2019)" of the paper, "(Tang\n2019)" too
    footnotes = ocr[ocr["style"] == "footnote"]
    assert sorted(footnotes["note_number"]) == list(range(1, 5)) and footnotes["reference_id"].notna().all()
    paragraphs = pd.read_parquet(seed_release / "paragraphs.parquet")
    heading = paragraphs[paragraphs["text"] == "4 Efficiency and its limits"]
    assert list(heading["kind"]) == ["heading"]


def _build(text: str):
    from corpus.pipeline.citations import citations
    from corpus.pipeline.segment import segment
    from corpus.tables import frame

    docs = frame("documents", [{"doc_id": "d", "source_file": "d.txt", "text": text, "status": "built",
                                "title": text.split("\n")[0]}])
    _, paragraphs, _ = segment(docs)
    return citations(docs, paragraphs)


def test_note_free_text_with_codes_gets_no_citations():
    text = ("Pandemic Planning\n\nThe H1N1 outbreak shaped planning. Revenue rose in Q2 and fell in Q3, "
            "while the G4 strain and the F16 order were noted in 2019 by officials.")
    cites, refs = _build(text)
    assert len(refs) == 0
    assert not cites["note_number"].notna().any()


def test_latex_and_unicode_superscripts_resolve_to_notes():
    text = ("Party Media Today\n\nThe line was set in 2013.$^{1}$ Editors complied.^{2} "
            "Critics disagreed.\\footnotemark[3] The press followed suit.⁴"
            "\n\nNotes\n\n1. Xinhua, “Propaganda Work,” August 20, 2013.\n\n2. Ibid.\n\n"
            "3. Chen Wei, Media and Power (London: Routledge, 2015), 12.\n\n4. Chen, Media and Power, 14.")
    cites, refs = _build(text)
    assert sorted(cites["note_number"].dropna()) == [1, 2, 3, 4]
    assert cites["reference_id"].notna().all()
    by = refs.set_index("note_number")
    assert by.loc[2, "kind"] == "ibid" and by.loc[2, "refers_to"] == by.loc[1, "reference_id"]
    assert by.loc[3, "container"] == "Routledge" and by.loc[3, "date"] == "2015"


def test_bracket_notes_in_chinese_styles_split_at_top_level_semicolons():
    text = ("城市治理\n\n网格化管理在各地推广。[1] 也有不同看法。[2]\n\n注释\n\n"
            "[1] 赵立新：《城市网格与基层秩序》，《治理研究》2015年第4期；钱一鸣：《乡镇财政的变迁》，人民出版社2009年版。\n"
            "[2] 同上，第5页。")
    cites, refs = _build(text)
    assert sorted(cites["note_number"]) == [1, 2]
    first = refs[refs["note_number"] == 1]
    assert list(first["ordinal"]) == [1, 2]
    assert list(first["title"]) == ["城市网格与基层秩序", "乡镇财政的变迁"]
    assert refs.loc[refs["note_number"] == 2, "kind"].item() == "ibid"


def test_source_numbers_inside_a_note_do_not_start_notes():
    assert [n for n, _, _ in parse_notes("[3] [7] T. Tiedje, IEEE Trans. 1984, 31, 711.\n[4] A. Smith, 2001.")] == [3, 4]


def test_work_splitting_keeps_vancouver_volumes_and_quoted_semicolons():
    from corpus.pipeline.citations import _split_top_level

    text = "Lee J. Title. J Med. 2013;39:12-19; “A; B,” Times, 2020"
    assert [text[a:b] for a, b in _split_top_level(text)] == ["Lee J. Title. J Med. 2013;39:12-19", "“A; B,” Times, 2020"]


def test_pages_regex_free_parser_reads_a_long_list_of_ones():
    # how long it takes on 25,000 of them: benchmarks/pathological_notes.py
    assert isinstance(parse_work("1," * 2_000), dict)


def test_notes_found_by_structure_without_a_heading_and_per_chapter():
    body = "Chapter {c}: Local Cadres\n\nCadres were rotated in 2015.1 Villages resisted.2 Counties complied.3"
    notes = ("\n\n1. Li Wei, “Rotation,” People’s Daily, May 2, 2015.\n\n12\n\n"
             "2. Wang Fang, Village Power (Beijing: Renmin, 2010), 4.\n\n3. Ibid., 9.")
    text = body.format(c=1) + notes + "\n\n" + body.format(c=2) + notes
    cites, refs = _build(text)
    assert sorted(refs["note_number"]) == [1, 1, 2, 2, 3, 3]
    assert sorted(cites["note_number"].dropna()) == [1, 1, 2, 2, 3, 3]


def test_author_year_names_in_any_alphabet():
    found = [(t, ok) for _, _, t, ok in author_year_markers("as shown (Müller 2019; van der Berg 2001), and Ó Gráda (2015)")]
    assert found[:2] == [("Müller 2019", True), ("van der Berg 2001", True)]


def test_notes_joined_into_one_paragraph_split_by_the_sequence():
    text = "7 Culture is “complex” (Tylor 1871). 8 people died. 8 Computational models (Forrester 1961). 9 王伟：《书》"
    assert [(n, text[a:b].split()[0]) for n, a, b in parse_notes(text)] == [(7, "Culture"), (8, "Computational"), (9, "王伟：《书》")]


def test_short_forms_point_at_the_full_reference_by_surname_and_title():
    text = ("Trade in Venice\n\nMerchants prospered.[1] Then declined.[2] And recovered.[3]\n\nNotes\n\n"
            "[1] G. Ferri, La vita dei mercanti, Venezia 1961, p. 44.\n[2] Ferri, La vita..., cit., p. 50.\n"
            "[3] G. Ferri, op. cit., p. 51.")
    _, refs = _build(text)
    by = refs.set_index("note_number")
    assert by.loc[2, "kind"] == "short_form" and by.loc[2, "refers_to"] == by.loc[1, "reference_id"]
    assert by.loc[3, "kind"] == "short_form" and by.loc[3, "refers_to"] == by.loc[1, "reference_id"]


def test_numbering_that_restarts_per_chapter_keeps_reference_ids_unique_and_markers_in_their_chapter():
    body = "Chapter {c}: Local Cadres\n\nCadres were rotated in 2015.1 Villages resisted.2 Counties complied.3"
    notes = ("\n\nNotes\n\n1. Li{c} Wei, “Rotation,” People’s Daily, May 2, 2015.\n\n"
             "2. Wang{c} Fang, Village Power (Beijing: Renmin, 2010), 4.\n\n3. Ibid., 9.")
    text = "\n\n".join(body.format(c=c) + notes.format(c=c) for c in (1, 2, 3))
    cites, refs = _build(text)
    assert refs["reference_id"].is_unique and len(refs) == 9
    assert cites["citation_id"].is_unique
    numbered = cites[cites["note_number"].notna()].sort_values("char_start")
    linked = refs.set_index("reference_id").loc[list(numbered["reference_id"])]
    assert list(linked["note_number"]) == [1, 2, 3] * 3
    assert list(linked["char_start"]) == sorted(linked["char_start"])  # chapter k's markers, chapter k's notes


def test_resolved_exactly_when_a_reference_id_exists():
    text = ("Party Media\n\nThe line was set in 2013.[1] Editors complied.[2] Critics disagreed.[7] "
            "As argued (Pan 2017; Nobody 2001).\n\nNotes\n\n[1] Xinhua, “Propaganda Work,” August 20, 2013.\n"
            "[2] Pan Li, Media and Power (London: Routledge, 2017), 12.")
    cites, refs = _build(text)
    assert (cites["resolved"] == cites["reference_id"].notna()).all()
    by_text = dict(zip(cites["text"], cites["resolved"]))
    assert by_text["[1]"] and by_text["[2]"] and not by_text["[7]"]
    assert by_text["Pan 2017"] and not by_text["Nobody 2001"]
    markdown, _ = _build("A Title\n\nText with a marker whose definition is lost.[3] More text.[4]")
    assert not markdown["resolved"].any()


def test_ten_thousand_notes_give_ten_thousand_notes():
    from corpus.pipeline.segment import paragraph_kind

    n = 10_000
    brackets = "\n".join(f"[{k}] Author {k}, “Title {k},” Journal, 2001." for k in range(1, n + 1))
    assert [k for k, _, _ in parse_notes(brackets)] == list(range(1, n + 1))
    numbered = " ".join(f"{k}. Author {k}, “Title {k},” Journal, 2001." for k in range(1, n + 1))
    assert [k for k, _, _ in parse_notes(numbered)] == list(range(1, n + 1))
    assert paragraph_kind(f"[{n}] Author, “Title,” Journal, 2001.", 500, None, None) == "note"


def test_every_table_primary_key_is_unique(seed_release):
    from corpus.tables import TABLES, table_schema

    checked = set()
    for table in TABLES:
        files = sorted(seed_release.glob(f"{table}*.parquet")) or sorted((seed_release / table).glob("*.parquet"))
        if not files:
            continue
        key = table_schema(table)["primaryKey"]
        rows = pd.concat([pd.read_parquet(f, columns=key) for f in files])
        assert not rows.duplicated().any(), table
        checked.add(table)
    assert {"documents", "paragraphs", "citations", "references"} <= checked


def test_flattened_markers_are_the_longest_chain_not_the_first_number():
    # a stray 2 before the first marker would end a greedy scan's chance of finding 1
    texts = ["The second volume.2 The reform began in the county.1 Cadres rotated yearly.2",
             "Villagers voted in the spring.3 The township agreed.4"]
    found = [(i, n) for i, n, _, _ in superscript_markers(texts)]
    assert found == [(0, 1), (0, 2), (1, 3), (1, 4)]
    # the notes' own numbers decide between two chains of the same length
    texts = ["Output fell.2 Prices rose.3 The reform began.1 Cadres rotated.2"]
    assert [n for _, n, _, _ in superscript_markers(texts)] == [2, 3]
    assert [n for _, n, _, _ in superscript_markers(texts, confirmed={1, 2})] == [1, 2]
