"""A verbatim text with a comma inside `{...}`: YAML ends the text at the comma, and the
validator says so, with the quoted text to write."""

from __future__ import annotations

from pathlib import Path

from tests.unit.spec.test_spec_checks import only, problems_of, variant

OLD = "{text: Foto, fields: [attachment]}"


def test_a_comma_in_a_flow_mapping_text_gets_a_hint_to_quote_it(tmp_path: Path) -> None:
    p = only(variant(tmp_path, OLD, "{text: Foto, lampiran, fields: [attachment]}"))
    assert (p.code, p.line, p.path) == ("unknown_key", 141, "steps[0].inputs[1].lampiran")
    assert p.hint == 'a comma ends a text inside {...}: quote it, text: "Foto, lampiran"'


def test_every_piece_after_the_comma_gets_the_whole_text(tmp_path: Path) -> None:
    path = variant(tmp_path, OLD, "{text: Foto, KTP, KK, fields: [attachment]}")
    hints = {p.path: p.hint for p in problems_of(path)}
    hint = 'a comma ends a text inside {...}: quote it, text: "Foto, KTP, KK"'
    assert hints == {f"steps[0].inputs[1].{key}": hint for key in ("KTP", "KK")}
