"""Rules that read English words stay silent on a manuscript in another language, and say so.

Matched against Portuguese prose, the English word lists found hype in "um pouco
superior" ("slightly higher") and the relevance rules called every English reference
title off-topic: 17 warnings on one published SciELO article, none of them right.
"""

from __future__ import annotations

from conftest import EXAMPLE_FILES, corpus_dir

from refcheck.engine import check, check_file
from refcheck.rule import Rule

ENGLISH_ONLY = {"RC201", "RC202", "RC301", "RC302", "RC401", "RC402", "RC403"}

# Written for this test (Portuguese): uncited "studies show", a "superior", a section
# of claims with no citation, and an English reference list.
PORTUGUESE = """# Introdução

A insuficiência hepática aguda é uma síndrome grave com alta mortalidade em todo o mundo [1]. Os estudos
mostram que o transplante de fígado continua sendo o único tratamento definitivo para muitos pacientes, mas
a falta de órgãos doados limita o seu uso [2]. Por isso, novas terapias celulares vêm sendo investigadas
por diversos grupos de pesquisa, com resultados que ainda precisam ser confirmados em ensaios maiores.

## Perspectivas clínicas

A terapia com células-tronco mesenquimais reduz a inflamação do fígado e melhora a função hepática. As
células são obtidas do cordão umbilical sem procedimentos invasivos e podem ser expandidas em laboratório.
A sobrevida dos pacientes tratados foi um pouco superior à do grupo controle no primeiro ano, porém essa
relação inverteu-se no quarto ano. Os custos do tratamento são menores do que os do transplante e a
aceitação pelos pacientes é alta. Pesquisas indicam que a aplicação repetida das células aumenta o efeito
terapêutico e diminui as complicações. Ainda assim, a padronização da produção das células é um desafio
para os serviços de saúde, que precisam de protocolos claros, de profissionais treinados e de sistemas de
monitoramento que permitam avaliar a segurança e a eficácia ao longo do tempo em cada paciente tratado.

# Referências

1. Bernal W, Wendon J. Acute liver failure. N Engl J Med. 2013;369:2525-34.
2. Neuberger J. Liver transplantation in the United Kingdom. Liver Transpl. 2016;22:1129-35.
"""


def test_english_only_rules_are_declared() -> None:
    from refcheck.plugins import all_rules

    rules: list[type[Rule]] = list(all_rules())
    assert {r.code for r in rules if r.english_only} == ENGLISH_ONLY


def test_a_portuguese_manuscript_gets_no_english_word_findings_and_a_notice(monkeypatch) -> None:
    result = check(text=PORTUGUESE)
    assert not [f for f in result.findings if f.code in ENGLISH_ONLY], [f.message for f in result.findings]
    assert any("not in English" in n and "RC301" in n for n in result.notices)
    # Read as if it were English, the word lists misfire on it: what the gate prevents.
    monkeypatch.setattr("refcheck.engine.written_in_english", lambda ms: True)
    misread = check(text=PORTUGUESE)
    assert any(f.code == "RC301" and f.text == "superior" for f in misread.findings)


def test_english_manuscripts_are_checked_as_before() -> None:
    result = check_file(EXAMPLE_FILES["txt"])
    assert {f.code for f in result.findings} & ENGLISH_ONLY
    assert not [n for n in result.notices if "not in English" in n]


def test_the_published_portuguese_article() -> None:
    folder = corpus_dir("jats/cc-by-nc")
    portuguese = check_file(folder / "scielo__0034-8910-rsp-48-2-0357.xml")
    assert not [f for f in portuguese.findings if f.code in ENGLISH_ONLY]
    assert any("not in English" in n for n in portuguese.notices)
    english = check_file(folder / "scielo__0034-8910-rsp-48-2-0331.xml")  # the same journal, in English
    assert not [n for n in english.notices if "not in English" in n]
