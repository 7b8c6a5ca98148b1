"""How the stance model is trained: synthetic contrastive pairs (bench/synth_pairs.py) and the
adapter file format, which must reproduce the trained model once loaded the way `check` loads it."""

import json

import numpy as np
import pytest

from bench.synth_pairs import (REFUTES, SUPPORTS, UNRELATED, change_number, main_clause, make_pairs, negate,
                               refutations, swap_entity, swap_office, turn_round)


def sent_of(nlp, text):
    return next(nlp(text).sents)


def test_negation_goes_in_and_comes_out(nlp):
    assert negate(sent_of(nlp, "The bridge was opened in 1932.")) == "The bridge was not opened in 1932."
    assert negate(sent_of(nlp, "The river flooded the town.")) == "The river did not flood the town."
    assert negate(sent_of(nlp, "Coffee is not a fruit.")) == "Coffee is a fruit."
    # "did not go" would need the verb conjugated: left alone
    assert negate(sent_of(nlp, "The team did not win the cup.")) is None


def test_numbers_years_and_words_change_to_other_values(nlp):
    rng = np.random.default_rng(0)
    text, kind = change_number(sent_of(nlp, "The dam holds 4,200 cubic metres of water."), rng)
    assert kind == "number" and "4,200" not in text and "cubic metres of water" in text
    text, kind = change_number(sent_of(nlp, "The treaty was signed in 1951 by six countries."),
                               np.random.default_rng(3))
    assert text != "The treaty was signed in 1951 by six countries."
    assert ("1951" in text) != ("six" in text)  # exactly one value changed
    assert change_number(sent_of(nlp, "The sky is blue over the sea."), rng) is None


def test_entities_swap_only_for_ones_the_passage_does_not_name(nlp):
    s = sent_of(nlp, "Marie Curie was born in Warsaw.")
    pool = {"GPE": ["Warsaw", "Lisbon"], "PERSON": ["Marie Curie"]}
    out = swap_entity(s, pool, "Marie Curie was born in Warsaw.", np.random.default_rng(0))
    assert out == "Marie Curie was born in Lisbon."


def test_directions_offices_and_main_clauses(nlp):
    rng = np.random.default_rng(0)
    assert turn_round(sent_of(nlp, "Sea levels rose by 20 centimetres."), rng) == "Sea levels fell by 20 centimetres."
    out = swap_office(sent_of(nlp, "She served as prime minister for six years."), rng)
    assert "prime minister" not in out and out.startswith("She served as ")
    assert main_clause(sent_of(nlp, "In 2013, record low water levels were measured in the lakes.")) == \
        "Record low water levels were measured in the lakes."
    kinds = [k for _, k in refutations(sent_of(nlp, "The Senate approved the budget in 2019 by 62 votes."),
                                        {"ORG": ["The Senate", "UNESCO"]}, "", np.random.default_rng(1), most=2)]
    assert len(kinds) == 2 and len(set(kinds)) == 2


def test_make_pairs_gives_each_stance_with_its_own_passage(nlp):
    passages = [
        "The Danube flows through ten countries. It rises in the Black Forest and ends in the Black Sea.",
        "The Rhine flows through six countries before it reaches the North Sea at Rotterdam.",
        "The Danube delta is the second largest river delta in Europe and a protected wetland.",
        "Vienna and Budapest both stand on the Danube, which has been a trade route for centuries.",
    ]
    pairs = make_pairs(passages, nlp, seed=0)
    stances = {p.stance for p in pairs}
    assert stances == {SUPPORTS, REFUTES, UNRELATED}
    for p in pairs:
        if p.stance == SUPPORTS and p.kind == "sentence":
            assert p.claim in p.evidence
        if p.stance == REFUTES:
            assert p.claim not in p.evidence
        if p.stance == UNRELATED:
            assert p.claim not in p.evidence and p.kind == "other passage"
    assert make_pairs(passages, nlp, seed=0) == pairs  # deterministic


@pytest.mark.slow
def test_adapter_file_reproduces_the_trained_model(embedder, tmp_path):
    """Train two steps of the real recipe (peft LoRA on all layers), save, load through
    `StanceModel` (adapters merged into the weights) and compare outputs: a wrong merge or a
    forgotten scaling would show here, not only as poor figures."""
    pytest.importorskip("peft")
    import torch
    from peft import LoraConfig, get_peft_model

    from bench.train_stance import LORA_MODULES, Adapted, adapter_tensors, forward
    from claims.stance import STANCES, StanceModel
    from claims.stance import TUNED_LAYERS as LAYERS
    from safetensors.torch import save_file

    torch.manual_seed(0)
    st = embedder._model
    base, tok = st[0].auto_model, st.tokenizer
    before = base.encoder.layer[3].attention.self.query.weight.detach().clone()
    model = get_peft_model(Adapted(base), LoraConfig(r=4, lora_alpha=8, target_modules=LORA_MODULES))
    layers = model.base_model.model.layer
    head = torch.nn.Linear(base.config.hidden_size, len(STANCES))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad] + list(head.parameters()), lr=5e-2)
    pairs = [(None, "The bridge opened in 1932.", "The bridge was opened in 1932 after six years of work.", 0),
             (None, "The bridge opened in 1952.", "The bridge was opened in 1932 after six years of work.", 1)]
    for _ in range(2):
        loss = torch.nn.functional.cross_entropy(forward(base, layers, head, tok, pairs, [0, 1], 64),
                                                 torch.tensor([0, 1]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        want = forward(base, layers, head, tok, pairs, [0, 1], 64).numpy()
    tensors = {"head.weight": head.weight.detach().contiguous(), "head.bias": head.bias.detach().contiguous(),
               **adapter_tensors(layers)}
    assert len(tensors) == 2 + 2 * 6 * 6  # q, k, v, attention output, intermediate, output in every layer
    path = tmp_path / "stance.safetensors"
    save_file(tensors, str(path))
    path.with_suffix(".json").write_text(json.dumps({"tuned_layers": list(LAYERS), "max_tokens": 64}))
    loaded = StanceModel(embedder, path, path.with_suffix(".json"))
    loaded.bf16 = False  # compare in float32; bfloat16 is measured in bench/RESULTS.md
    got = loaded.logits([(p[1], p[2]) for p in pairs])
    assert np.abs(got - want).max() < 1e-3
    # the base model the embedder uses is untouched by training and merging
    assert torch.equal(base.encoder.layer[3].attention.self.query.weight, before)
