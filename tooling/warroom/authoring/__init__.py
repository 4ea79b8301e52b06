"""Writing incident files: `warroom new`, `update`, `resolve` and `new --from-issue`.

Edits go through ruamel.yaml's round-trip mode so that everything a person wrote (comments,
key order, quoting, block scalars) survives; every result is validated before it is written.
"""
