"""End-to-end test of `concord lsp`: drives the real server binary over stdio with pytest-lsp.

The binary is `$CONCORD_BIN` (scripts/test.sh builds it and sets it). The server writes its copy
of the standard library under `$XDG_CACHE_HOME`, which the fixture points at a temporary directory.
"""

import asyncio
import atexit
import os
import pathlib
import shutil
import tempfile

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER = os.environ.get("CONCORD_BIN", str(ROOT / "target" / "debug" / "concord"))
CACHE = tempfile.mkdtemp(prefix="concord-lsp-e2e-")
WORKSPACE = pathlib.Path(tempfile.mkdtemp(prefix="concord-lsp-workspace-"))
atexit.register(shutil.rmtree, CACHE, ignore_errors=True)
atexit.register(shutil.rmtree, WORKSPACE, ignore_errors=True)

BROKEN = """rulebook demo.rules { title "Démo" }
import std.lexicon

/// Models trained with a lot of compute.
term big_model = system.model.training_compute.pretrainig > 1e25 FLOP
  cite "Art. 51(2)" status binding
"""

FIXED = BROKEN.replace("pretrainig", "pretraining")


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[SERVER, "lsp"],
        server_env={**os.environ, "XDG_CACHE_HOME": CACHE},
    )
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=WORKSPACE.as_uri(), name="workspace")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def diagnostics_until(client: LanguageClient, uri: str, done):
    """Waits until the diagnostics last published for `uri` satisfy `done`, and returns them."""
    async def wait():
        while not (uri in client.diagnostics and done(client.diagnostics[uri])):
            await asyncio.sleep(0.02)
        return client.diagnostics[uri]
    try:
        return await asyncio.wait_for(wait(), timeout=20)
    except TimeoutError:
        raise AssertionError(f"last diagnostics published: {client.diagnostics.get(uri)}") from None


def position_of(text: str, needle: str, delta: int = 0) -> types.Position:
    """The UTF-16 position of `needle` in `text` (plus `delta` characters)."""
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    character = len(text[start:offset].encode("utf-16-le")) // 2
    return types.Position(line=line, character=character)


def open_document(client: LanguageClient, uri: str, text: str):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="concord", version=1, text=text)
        )
    )


@pytest.mark.asyncio
async def test_edit_hover_definition_and_completion(client: LanguageClient):
    path = WORKSPACE / "rules.concord"
    path.write_text(BROKEN)
    uri = path.as_uri()
    open_document(client, uri, BROKEN)
    diagnostics = await diagnostics_until(client, uri, lambda found: len(found) > 0)
    codes = [diagnostic.code for diagnostic in diagnostics]
    assert codes == ["unknown-field"], diagnostics
    unknown = diagnostics[0]
    assert unknown.range.start == position_of(BROKEN, "pretrainig")
    assert "did you mean `pretraining`?" in unknown.message

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=FIXED)],
        )
    )
    assert list(await diagnostics_until(client, uri, lambda found: len(found) == 0)) == []

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(FIXED, "big_model", 2),
        )
    )
    assert hover is not None
    assert "term big_model: bool" in hover.contents.value
    assert "Models trained with a lot of compute." in hover.contents.value
    assert "Art. 51(2)" in hover.contents.value

    definition = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(FIXED, "pretraining", 3),
        )
    )
    assert isinstance(definition, types.Location), definition
    assert definition.uri.startswith("file://")
    assert definition.uri.endswith("/std/lexicon.concord")
    lexicon = pathlib.Path(definition.uri[len("file://"):]).read_text()
    line = lexicon.splitlines()[definition.range.start.line]
    assert line.strip().startswith("pretraining:"), line

    # A standard-library term opened from the cache: its hover lists what the embedded mappings
    # claim about it, from either side of a claim.
    std_dir = pathlib.Path(definition.uri[len("file://"):]).parent
    for name, needle, counterpart in [
        ("us_ca_sb53.concord", "term frontier_model", "overlapping with `compute_presumption` of `eu.ai_act`"),
        ("eu_ai_act.concord", "term compute_presumption", "overlapping with `frontier_model` of `us.ca.sb53`"),
    ]:
        cached = std_dir / name
        cached_text = cached.read_text()
        open_document(client, cached.as_uri(), cached_text)
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=cached.as_uri()),
                position=position_of(cached_text, needle, len("term ") + 1),
            )
        )
        assert hover is not None
        assert f"- {counterpart}" in hover.contents.value, hover.contents.value
        assert "by mapping `models` of `map.eu_ai_act.us_ca_sb53`" in hover.contents.value, hover.contents.value

    completion_text = FIXED + "term x = system.\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=completion_text)],
        )
    )
    completion = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(completion_text, "system.\n", len("system.")),
        )
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    labels = {item.label for item in items}
    assert {"model", "purposes", "parties", "interacts_with_people"} <= labels, labels


MESSY = """rulebook demo.editing { title "Editing" }
import std.lexicon
/// Big models.
term   big_model=system.model.training_compute.pretraining>1e25 FLOP // threshold
term uses_big = big_model and not big_model
redline r {
cite "Art. 1"
forbids use
when big_model
}
"""


@pytest.mark.asyncio
async def test_format_symbols_rename_references_and_tokens(client: LanguageClient):
    path = WORKSPACE / "editing.concord"
    path.write_text(MESSY)
    uri = path.as_uri()
    open_document(client, uri, MESSY)
    document = types.TextDocumentIdentifier(uri=uri)

    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=document, options=types.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert edits, edits
    # Apply the edits (returned in document order, not overlapping) from the last to the first.
    lines = MESSY.split("\n")
    def offset(position: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character
    formatted = MESSY
    for edit in sorted(edits, key=lambda edit: offset(edit.range.start), reverse=True):
        formatted = formatted[: offset(edit.range.start)] + edit.new_text + formatted[offset(edit.range.end):]
    assert "term big_model = system.model.training_compute.pretraining > 1e25 FLOP // threshold" in formatted
    assert "\n  cite \"Art. 1\"\n" in formatted
    assert "\n\nimport std.lexicon\n\n/// Big models.\n" in formatted

    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))
    names = [symbol.name for symbol in symbols]
    assert names == ["demo.editing", "std.lexicon", "big_model", "uses_big", "r"], names

    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="big_mod"))
    assert any(symbol.name == "big_model" and symbol.location.uri == uri for symbol in found), found

    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document,
            position=position_of(MESSY, "big_model and"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert len(references) == 4, references

    rename = await client.text_document_rename_async(
        types.RenameParams(text_document=document, position=position_of(MESSY, "big_model and"), new_name="large_model")
    )
    changes = rename.changes[uri]
    assert len(changes) == 4 and all(edit.new_text == "large_model" for edit in changes), changes

    with pytest.raises(Exception, match="reserved word"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=document, position=position_of(MESSY, "big_model and"), new_name="when")
        )
    with pytest.raises(Exception, match="standard library"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=document, position=position_of(MESSY, "pretraining"), new_name="pre")
        )

    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=document))
    assert any(fold.start_line == MESSY.split("\n").index("redline r {") for fold in folds), folds

    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=document))
    assert tokens.data and len(tokens.data) % 5 == 0
    assert tokens.result_id

    redline_line = MESSY.split("\n").index("redline r {")
    ranged = await client.text_document_semantic_tokens_range_async(
        types.SemanticTokensRangeParams(
            text_document=document,
            range=types.Range(start=types.Position(line=redline_line, character=0), end=types.Position(line=redline_line + 1, character=0)),
        )
    )
    # `redline` and `r`, the first encoded from the start of the document.
    assert len(ranged.data) == 10 and ranged.data[0] == redline_line, ranged.data

    edited = MESSY.replace('cite "Art. 1"', 'cite "Art. 1" status binding')
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    delta = await client.text_document_semantic_tokens_full_delta_async(
        types.SemanticTokensDeltaParams(text_document=document, previous_result_id=tokens.result_id)
    )
    assert isinstance(delta, types.SemanticTokensDelta), delta
    (edit,) = delta.edits
    patched = list(tokens.data)
    patched[edit.start : edit.start + edit.delete_count] = edit.data or []
    fresh = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=document))
    assert patched == list(fresh.data)


@pytest.mark.asyncio
async def test_quick_fix_applies_did_you_mean(client: LanguageClient):
    typo = BROKEN.replace("demo.rules", "demo.typo")
    path = WORKSPACE / "typo.concord"
    path.write_text(typo)
    uri = path.as_uri()
    open_document(client, uri, typo)
    found = await diagnostics_until(client, uri, lambda found: any(it.code == "unknown-field" for it in found))
    diagnostics = [diagnostic for diagnostic in found if diagnostic.code == "unknown-field"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=list(diagnostics)),
        )
    )
    assert actions, actions
    fix = actions[0]
    assert fix.title == "replace with `pretraining`", fix
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "pretraining"
    assert edit.range == diagnostics[0].range
