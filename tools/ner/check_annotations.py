"""Check an annotation file against its input: same keys in order, valid shape, every label and alias present in
the title or abstract (case-insensitive) — what the annotators ran after every ten papers.

usage: python -m tools.ner.check_annotations tools/ner/data/arxiv/input-NN.jsonl tools/ner/data/arxiv/gold-NN.jsonl
"""
import json, sys
ARCH = {"transformer", "encoder-only", "decoder-only", "encoder-decoder", "CNN", "RNN", "GNN", "MLP",
        "state space model", "mixture of experts", "autoencoder", "GAN", "diffusion model",
        "implicit neural representation", "vision transformer"}
inp = [json.loads(l) for l in open(sys.argv[1])]
gold = []
for n, l in enumerate(open(sys.argv[2]), 1):
    if l.strip():
        try:
            gold.append(json.loads(l))
        except json.JSONDecodeError as e:
            print(f"line {n}: bad JSON: {e}"); sys.exit(1)
problems = 0
for i, g in enumerate(gold):
    if i >= len(inp) or g.get("key") != inp[i]["key"]:
        print(f"line {i+1}: key {g.get('key')!r} != input key {inp[i]['key'] if i < len(inp) else None!r}"); problems += 1; continue
    text = (inp[i]["title"] + "\n" + inp[i]["abstract"]).lower()
    for k in ("methods", "tasks", "datasets", "metrics"):
        for e in g.get(k, []):
            if not isinstance(e, dict) or "label" not in e:
                print(f"line {i+1}: {k}: bad entry {e!r}"); problems += 1; continue
            for form in [e["label"], *e.get("aliases", [])]:
                if form.lower() not in text:
                    print(f"line {i+1} ({g['key']}): {k} form {form!r} does not occur in title/abstract (case-insensitive)"); problems += 1
            if k == "methods" and not isinstance(e.get("proposed"), bool):
                print(f"line {i+1}: methods entry {e['label']!r} lacks proposed true/false"); problems += 1
    bad = set(g.get("architectures", [])) - ARCH
    if bad:
        print(f"line {i+1}: unknown architectures {sorted(bad)}"); problems += 1
print(f"{len(gold)} of {len(inp)} papers annotated, {problems} problems")
