"""Export tiny models whose attention/FFN/RNN layers are written the way popular
libraries write them, so the pruner meets the ONNX patterns real exports have.

Usage:
    /usr/bin/python3 tools/make_layouts.py                  # everything -> testdata/layouts/
    /usr/bin/python3 tools/make_layouts.py --out DIR
    /usr/bin/python3 tools/make_layouts.py --only hf_bert,hf_llama   # a subset (keys of LAYOUTS/ORT_LAYOUTS)
    /usr/bin/python3 tools/make_layouts.py --skip-train     # keep an existing llama_fmnist.*

timm and transformers are not installed (and nothing is downloaded): each layout
is a small module written here that performs the same tensor operations, in the
same order, as the library's modeling code (HF BERT, GPT-2, LLaMA; timm
VisionTransformer), so torch.onnx.export emits the same ONNX patterns. torch.nn's
TransformerEncoder and torchvision's VisionTransformer are used directly. The
`ort_*` layouts are written with onnx.helper in the shape ONNX Runtime's
transformer optimizer leaves a graph (com.microsoft contrib ops), since no
exporter can produce them.

Every torch layout is exported at opset 14 and 17 as `<layout>_op<opset>.onnx`
(random weights, seeded; `trained_like_init` as in make_corpus.py; eval mode;
`do_constant_folding=True`; batch axis dynamic and named `batch`, sequence axis
static) and checked with `onnx.checker.check_model(full_check=True)`; the ORT
layouts are opset 17 + com.microsoft 1 and checked without full_check (the checker
has no schemas for contrib ops). `layouts.json` describes every file.

One trained fixture: `llama_fmnist.onnx`, a LLaMA-style classifier over
Fashion-MNIST rows (see train_llama_fmnist), with 256 sample images and PyTorch's
logits on them.
"""
import argparse
import collections
import hashlib
import json
import math
import os
import sys
import time
import traceback
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import TensorProto, helper, numpy_helper, shape_inference
from torchvision.models.vision_transformer import VisionTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist  # noqa: E402

SEED = 0
OPSETS = (14, 17)
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "testdata", "layouts")

# shared tiny sizes
E, H, D, FFN, SEQ, VOCAB, LAYERS, CLASSES = 32, 4, 8, 64, 16, 48, 2, 10  # vocab unlike any width


# =============================================================================
# HF BERT (modeling_bert.py: BertEmbeddings, BertSelfAttention, BertSelfOutput,
# BertIntermediate, BertOutput, BertPooler) + a sequence-classification head
# =============================================================================

class BertEmbeddings(nn.Module):
    def __init__(self, vocab, hidden, max_pos, type_vocab=2, eps=1e-12):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden, padding_idx=0)
        self.position_embeddings = nn.Embedding(max_pos, hidden)
        self.token_type_embeddings = nn.Embedding(type_vocab, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(0.1)
        self.register_buffer("position_ids", torch.arange(max_pos).expand((1, -1)))
        self.register_buffer("token_type_ids", torch.zeros(self.position_ids.size(), dtype=torch.long),
                             persistent=False)

    def forward(self, input_ids):
        input_shape = input_ids.size()
        seq_length = input_shape[1]
        position_ids = self.position_ids[:, 0:seq_length]
        buffered_token_type_ids = self.token_type_ids[:, :seq_length]
        token_type_ids = buffered_token_type_ids.expand(input_shape[0], seq_length)
        inputs_embeds = self.word_embeddings(input_ids)
        embeddings = inputs_embeds + self.token_type_embeddings(token_type_ids)
        embeddings += self.position_embeddings(position_ids)
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.num_attention_heads = heads
        self.attention_head_size = hidden // heads
        self.all_head_size = heads * self.attention_head_size
        self.query = nn.Linear(hidden, self.all_head_size)
        self.key = nn.Linear(hidden, self.all_head_size)
        self.value = nn.Linear(hidden, self.all_head_size)
        self.dropout = nn.Dropout(0.1)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        mixed_query_layer = self.query(hidden_states)
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        query_layer = self.transpose_for_scores(mixed_query_layer)
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
        return context_layer.view(new_context_layer_shape)


class BertSelfOutput(nn.Module):
    def __init__(self, hidden, eps=1e-12):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(0.1)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertIntermediate(nn.Module):
    def __init__(self, hidden, inter):
        super().__init__()
        self.dense = nn.Linear(hidden, inter)
        self.intermediate_act_fn = nn.GELU()  # ACT2FN["gelu"]: exact (erf) GELU

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(BertSelfOutput):
    def __init__(self, inter, hidden, eps=1e-12):
        super().__init__(hidden, eps)
        self.dense = nn.Linear(inter, hidden)


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, inter):
        super().__init__()
        self.attention = nn.Module()
        self.attention.self = BertSelfAttention(hidden, heads)
        self.attention.output = BertSelfOutput(hidden)
        self.intermediate = BertIntermediate(hidden, inter)
        self.output = BertOutput(inter, hidden)

    def forward(self, hidden_states, attention_mask):
        self_out = self.attention.self(hidden_states, attention_mask)
        attention_output = self.attention.output(self_out, hidden_states)
        intermediate_output = self.intermediate(attention_output)
        return self.output(intermediate_output, attention_output)


class HfBertForSequenceClassification(nn.Module):
    def __init__(self, vocab=VOCAB, hidden=E, heads=H, inter=FFN, layers=LAYERS, max_pos=SEQ,
                 num_labels=CLASSES):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, hidden, max_pos)
        self.layer = nn.ModuleList([BertLayer(hidden, heads, inter) for _ in range(layers)])
        self.pooler_dense = nn.Linear(hidden, hidden)
        self.pooler_activation = nn.Tanh()
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, num_labels)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):  # BertPreTrainedModel._init_weights
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(mean=0.0, std=0.02)
            m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(mean=0.0, std=0.02)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()

    def forward(self, input_ids, attention_mask):
        # get_extended_attention_mask: [B,S] -> [B,1,1,S], 0 where attended, dtype-min where masked
        extended = attention_mask[:, None, None, :]
        extended = extended.to(dtype=torch.float32)
        extended = (1.0 - extended) * torch.finfo(torch.float32).min
        h = self.embeddings(input_ids)
        for layer in self.layer:
            h = layer(h, extended)
        first_token_tensor = h[:, 0]
        pooled = self.pooler_activation(self.pooler_dense(first_token_tensor))
        return self.classifier(self.dropout(pooled))


# =============================================================================
# timm VisionTransformer (timm/models/vision_transformer.py, non-fused attention)
# and the same ViT with separate q/k/v Linears
# =============================================================================

class TimmPatchEmbed(nn.Module):
    def __init__(self, img_size=28, patch_size=7, in_chans=1, embed_dim=E):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size, bias=True)
        self.norm = nn.Identity()

    def forward(self, x):
        x = self.proj(x)
        x = x.flatten(2).transpose(1, 2)  # NCHW -> NLC
        return self.norm(x)


class TimmAttention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.q_norm = nn.Identity()
        self.k_norm = nn.Identity()
        self.attn_drop = nn.Dropout(0.0)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(0.0)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q, k = self.q_norm(q), self.k_norm(k)
        q = q * self.scale
        attn = q @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        attn = self.attn_drop(attn)
        x = attn @ v
        x = x.transpose(1, 2).reshape(B, N, C)
        x = self.proj(x)
        return self.proj_drop(x)


class PlainAttention(nn.Module):
    """Separate q/k/v Linears; heads split with view+transpose, merged with the
    residual stream's own B, N, C (so C comes from Shape() of the input)."""

    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        q = self.q(x).view(B, N, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k(x).view(B, N, self.num_heads, self.head_dim).transpose(1, 2)
        v = self.v(x).view(B, N, self.num_heads, self.head_dim).transpose(1, 2)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(out)


class InnerDimMergeAttention(TimmAttention):
    """timm's Attention with the heads merged to their own width, reshape(B, N, H*D), as HF
    ViTSelfAttention merges to `all_head_size`, instead of timm's reshape(B, N, C) with C read
    from the residual stream (Shape()[2] in ONNX). With timm's merge the residual width is
    not prunable: cutting it would change the merge Reshape of every attention too."""

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q, k = self.q_norm(q), self.k_norm(k)
        q = q * self.scale
        attn = q @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        attn = self.attn_drop(attn)
        x = attn @ v
        x = x.transpose(1, 2).reshape(B, N, self.num_heads * self.head_dim)
        x = self.proj(x)
        return self.proj_drop(x)


class TimmMlp(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(0.0)
        self.norm = nn.Identity()
        self.fc2 = nn.Linear(hidden_features, in_features)
        self.drop2 = nn.Dropout(0.0)

    def forward(self, x):
        x = self.drop1(self.act(self.fc1(x)))
        return self.drop2(self.fc2(self.norm(x)))


class TimmBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_hidden, attn_cls):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = attn_cls(dim, num_heads)
        self.ls1 = nn.Identity()
        self.drop_path1 = nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = TimmMlp(dim, mlp_hidden)
        self.ls2 = nn.Identity()
        self.drop_path2 = nn.Identity()

    def forward(self, x):
        x = x + self.drop_path1(self.ls1(self.attn(self.norm1(x))))
        x = x + self.drop_path2(self.ls2(self.mlp(self.norm2(x))))
        return x


class TimmVisionTransformer(nn.Module):
    def __init__(self, attn_cls=TimmAttention, img_size=28, patch_size=7, in_chans=1, embed_dim=E,
                 depth=LAYERS, num_heads=H, mlp_ratio=2.0, num_classes=CLASSES):
        super().__init__()
        self.patch_embed = TimmPatchEmbed(img_size, patch_size, in_chans, embed_dim)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.randn(1, num_patches + 1, embed_dim) * 0.02)
        self.pos_drop = nn.Dropout(0.0)
        self.blocks = nn.Sequential(*[TimmBlock(embed_dim, num_heads, int(embed_dim * mlp_ratio), attn_cls)
                                      for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.fc_norm = nn.Identity()
        self.head_drop = nn.Dropout(0.0)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        for m in self.modules():  # timm init_weights_vit_timm
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def _pos_embed(self, x):
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        x = x + self.pos_embed
        return self.pos_drop(x)

    def forward(self, x):
        x = self.patch_embed(x)
        x = self._pos_embed(x)
        x = self.blocks(x)
        x = self.norm(x)
        x = x[:, 0]  # global_pool == 'token'
        x = self.head_drop(self.fc_norm(x))
        return self.head(x)


# =============================================================================
# HF GPT-2 (modeling_gpt2.py: Conv1D, GPT2Attention, GPT2MLP, NewGELU, GPT2Block)
# =============================================================================

class Conv1D(nn.Module):
    """HF pytorch_utils.Conv1D: a Linear whose weight is stored [in, out]."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class NewGELUActivation(nn.Module):
    def forward(self, input):
        return 0.5 * input * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (input + 0.044715 * torch.pow(input, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, embed_dim, num_heads, max_positions):
        super().__init__()
        self.register_buffer(
            "bias",
            torch.tril(torch.ones((max_positions, max_positions), dtype=torch.bool)).view(
                1, 1, max_positions, max_positions),
            persistent=False)
        self.register_buffer("masked_bias", torch.tensor(-1e4), persistent=False)
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.split_size = embed_dim
        self.scale_attn_weights = True
        self.c_attn = Conv1D(3 * embed_dim, embed_dim)
        self.c_proj = Conv1D(embed_dim, embed_dim)
        self.attn_dropout = nn.Dropout(0.1)
        self.resid_dropout = nn.Dropout(0.1)

    def _attn(self, query, key, value):
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        if self.scale_attn_weights:
            attn_weights = attn_weights / torch.full(
                [], value.size(-1) ** 0.5, dtype=attn_weights.dtype, device=attn_weights.device)
        query_length, key_length = query.size(-2), key.size(-2)
        causal_mask = self.bias[:, :, key_length - query_length: key_length, :key_length]
        mask_value = torch.finfo(attn_weights.dtype).min
        mask_value = torch.full([], mask_value, dtype=attn_weights.dtype).to(attn_weights.device)
        attn_weights = torch.where(causal_mask, attn_weights.to(attn_weights.dtype), mask_value)
        attn_weights = nn.functional.softmax(attn_weights, dim=-1)
        attn_weights = attn_weights.type(value.dtype)
        attn_weights = self.attn_dropout(attn_weights)
        return torch.matmul(attn_weights, value)

    def _split_heads(self, tensor, num_heads, attn_head_size):
        new_shape = tensor.size()[:-1] + (num_heads, attn_head_size)
        tensor = tensor.view(new_shape)
        return tensor.permute(0, 2, 1, 3)  # (batch, head, seq_length, head_features)

    def _merge_heads(self, tensor, num_heads, attn_head_size):
        tensor = tensor.permute(0, 2, 1, 3).contiguous()
        new_shape = tensor.size()[:-2] + (num_heads * attn_head_size,)
        return tensor.view(new_shape)

    def forward(self, hidden_states):
        query, key, value = self.c_attn(hidden_states).split(self.split_size, dim=2)
        query = self._split_heads(query, self.num_heads, self.head_dim)
        key = self._split_heads(key, self.num_heads, self.head_dim)
        value = self._split_heads(value, self.num_heads, self.head_dim)
        attn_output = self._attn(query, key, value)
        attn_output = self._merge_heads(attn_output, self.num_heads, self.head_dim)
        attn_output = self.c_proj(attn_output)
        return self.resid_dropout(attn_output)


class GPT2MLP(nn.Module):
    def __init__(self, intermediate_size, embed_dim):
        super().__init__()
        self.c_fc = Conv1D(intermediate_size, embed_dim)
        self.c_proj = Conv1D(embed_dim, intermediate_size)
        self.act = NewGELUActivation()
        self.dropout = nn.Dropout(0.1)

    def forward(self, hidden_states):
        hidden_states = self.act(self.c_fc(hidden_states))
        return self.dropout(self.c_proj(hidden_states))


class GPT2Block(nn.Module):
    def __init__(self, embed_dim, num_heads, inner, max_positions, eps=1e-5):
        super().__init__()
        self.ln_1 = nn.LayerNorm(embed_dim, eps=eps)
        self.attn = GPT2Attention(embed_dim, num_heads, max_positions)
        self.ln_2 = nn.LayerNorm(embed_dim, eps=eps)
        self.mlp = GPT2MLP(inner, embed_dim)

    def forward(self, hidden_states):
        residual = hidden_states
        hidden_states = self.ln_1(hidden_states)
        attn_output = self.attn(hidden_states)
        hidden_states = attn_output + residual
        residual = hidden_states
        hidden_states = self.ln_2(hidden_states)
        feed_forward_hidden_states = self.mlp(hidden_states)
        return residual + feed_forward_hidden_states


class GPT2Model(nn.Module):
    def __init__(self, vocab=VOCAB, n_embd=E, n_head=H, n_inner=FFN, n_layer=LAYERS, n_positions=SEQ):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(0.1)
        self.h = nn.ModuleList([GPT2Block(n_embd, n_head, n_inner, n_positions) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-5)
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.02)

    def forward(self, input_ids):
        input_shape = input_ids.size()
        input_ids = input_ids.view(-1, input_shape[-1])
        position_ids = torch.arange(0, input_shape[-1], dtype=torch.long, device=input_ids.device)
        position_ids = position_ids.unsqueeze(0).view(-1, input_shape[-1])
        inputs_embeds = self.wte(input_ids)
        position_embeds = self.wpe(position_ids)
        hidden_states = self.drop(inputs_embeds + position_embeds)
        for block in self.h:
            hidden_states = block(hidden_states)
        hidden_states = self.ln_f(hidden_states)
        output_shape = input_shape + (hidden_states.size(-1),)
        return hidden_states.view(output_shape)


class HfGPT2ForSequenceClassification(nn.Module):
    """GPT2ForSequenceClassification without pad_token_id: `score` (no bias) on
    every token, then the last token's logits picked by advanced indexing."""

    def __init__(self, **kw):
        super().__init__()
        self.transformer = GPT2Model(**kw)
        self.score = nn.Linear(E, CLASSES, bias=False)

    def forward(self, input_ids):
        hidden_states = self.transformer(input_ids)
        logits = self.score(hidden_states)
        batch_size = input_ids.shape[0]
        sequence_lengths = -1
        return logits[torch.arange(batch_size, device=logits.device), sequence_lengths]


class HfGPT2LMHeadModel(nn.Module):
    """GPT2LMHeadModel: lm_head (no bias) tied to wte."""

    def __init__(self, **kw):
        super().__init__()
        self.transformer = GPT2Model(**kw)
        self.lm_head = nn.Linear(E, VOCAB, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tie_weights()

    def forward(self, input_ids):
        return self.lm_head(self.transformer(input_ids))


# =============================================================================
# HF LLaMA (modeling_llama.py, 4.3x: LlamaRMSNorm, LlamaRotaryEmbedding with
# cos/sin caches, rotate_half, apply_rotary_pos_emb, repeat_kv, LlamaMLP)
# =============================================================================

class LlamaRMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


class LlamaRotaryEmbedding(nn.Module):
    def __init__(self, dim, max_position_embeddings, base=10000):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.max_seq_len_cached = max_position_embeddings
        t = torch.arange(self.max_seq_len_cached, dtype=self.inv_freq.dtype)
        freqs = torch.einsum("i,j->ij", t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", emb.cos()[None, None, :, :], persistent=False)
        self.register_buffer("sin_cached", emb.sin()[None, None, :, :], persistent=False)

    def forward(self, x, seq_len):
        return (self.cos_cached[:, :, :seq_len, ...].to(dtype=x.dtype),
                self.sin_cached[:, :, :seq_len, ...].to(dtype=x.dtype))


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, position_ids):
    cos = cos.squeeze(1).squeeze(0)  # [seq_len, dim]
    sin = sin.squeeze(1).squeeze(0)
    cos = cos[position_ids].unsqueeze(1)  # [bs, 1, seq_len, dim]
    sin = sin[position_ids].unsqueeze(1)
    q_embed = (q * cos) + (rotate_half(q) * sin)
    k_embed = (k * cos) + (rotate_half(k) * sin)
    return q_embed, k_embed


def repeat_kv(hidden_states, n_rep):
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


class LlamaAttention(nn.Module):
    def __init__(self, hidden_size, num_heads, num_kv_heads, max_pos):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_heads = num_heads
        self.head_dim = hidden_size // num_heads
        self.num_key_value_heads = num_kv_heads
        self.num_key_value_groups = num_heads // num_kv_heads
        self.q_proj = nn.Linear(hidden_size, num_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden_size, num_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden_size, num_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(num_heads * self.head_dim, hidden_size, bias=False)
        self.rotary_emb = LlamaRotaryEmbedding(self.head_dim, max_pos)

    def forward(self, hidden_states, attention_mask, position_ids):
        bsz, q_len, _ = hidden_states.size()
        query_states = self.q_proj(hidden_states)
        key_states = self.k_proj(hidden_states)
        value_states = self.v_proj(hidden_states)
        query_states = query_states.view(bsz, q_len, self.num_heads, self.head_dim).transpose(1, 2)
        key_states = key_states.view(bsz, q_len, self.num_key_value_heads, self.head_dim).transpose(1, 2)
        value_states = value_states.view(bsz, q_len, self.num_key_value_heads, self.head_dim).transpose(1, 2)
        kv_seq_len = key_states.shape[-2]
        cos, sin = self.rotary_emb(value_states, seq_len=kv_seq_len)
        query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin, position_ids)
        key_states = repeat_kv(key_states, self.num_key_value_groups)
        value_states = repeat_kv(value_states, self.num_key_value_groups)
        attn_weights = torch.matmul(query_states, key_states.transpose(2, 3)) / math.sqrt(self.head_dim)
        if attention_mask is not None:
            attn_weights = attn_weights + attention_mask
        attn_weights = nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query_states.dtype)
        attn_output = torch.matmul(attn_weights, value_states)
        attn_output = attn_output.transpose(1, 2).contiguous()
        attn_output = attn_output.reshape(bsz, q_len, self.hidden_size)
        return self.o_proj(attn_output)


class LlamaMLP(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)
        self.act_fn = nn.SiLU()

    def forward(self, x):
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, hidden_size, num_heads, num_kv_heads, inter, max_pos, eps):
        super().__init__()
        self.self_attn = LlamaAttention(hidden_size, num_heads, num_kv_heads, max_pos)
        self.mlp = LlamaMLP(hidden_size, inter)
        self.input_layernorm = LlamaRMSNorm(hidden_size, eps)
        self.post_attention_layernorm = LlamaRMSNorm(hidden_size, eps)

    def forward(self, hidden_states, attention_mask, position_ids):
        residual = hidden_states
        hidden_states = self.input_layernorm(hidden_states)
        hidden_states = self.self_attn(hidden_states, attention_mask, position_ids)
        hidden_states = residual + hidden_states
        residual = hidden_states
        hidden_states = self.post_attention_layernorm(hidden_states)
        hidden_states = self.mlp(hidden_states)
        return residual + hidden_states


def _make_causal_mask(input_ids_shape, dtype, past_key_values_length=0):
    bsz, tgt_len = input_ids_shape
    mask = torch.full((tgt_len, tgt_len), torch.finfo(dtype).min)
    mask_cond = torch.arange(mask.size(-1))
    mask.masked_fill_(mask_cond < (mask_cond + 1).view(mask.size(-1), 1), 0)
    mask = mask.to(dtype)
    return mask[None, None, :, :].expand(bsz, 1, tgt_len, tgt_len + past_key_values_length)


class LlamaModel(nn.Module):
    """LlamaModel. `embed` is nn.Embedding (token ids) or nn.Linear (float
    features, for the Fashion-MNIST classifier); `causal` False drops the mask."""

    def __init__(self, embed, hidden_size=E, num_heads=H, num_kv_heads=2, inter=FFN, layers=LAYERS,
                 max_pos=SEQ, eps=1e-6, causal=True):
        super().__init__()
        self.embed_tokens = embed
        self.layers = nn.ModuleList([LlamaDecoderLayer(hidden_size, num_heads, num_kv_heads, inter, max_pos, eps)
                                     for _ in range(layers)])
        self.norm = LlamaRMSNorm(hidden_size, eps)
        self.causal = causal
        for m in self.modules():  # LlamaPreTrainedModel._init_weights (initializer_range 0.02)
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(mean=0.0, std=0.02)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    m.bias.data.zero_()

    def forward(self, inputs):
        batch_size, seq_length = inputs.shape[:2]
        position_ids = torch.arange(0, seq_length, dtype=torch.long, device=inputs.device)
        position_ids = position_ids.unsqueeze(0).view(-1, seq_length)
        hidden_states = self.embed_tokens(inputs)
        attention_mask = None
        if self.causal:
            attention_mask = _make_causal_mask((batch_size, seq_length), hidden_states.dtype)
        for layer in self.layers:
            hidden_states = layer(hidden_states, attention_mask, position_ids)
        return self.norm(hidden_states)


class HfLlamaForSequenceClassification(nn.Module):
    def __init__(self, num_kv_heads=2):
        super().__init__()
        self.model = LlamaModel(nn.Embedding(VOCAB, E), num_kv_heads=num_kv_heads)
        self.score = nn.Linear(E, CLASSES, bias=False)
        self.score.weight.data.normal_(mean=0.0, std=0.02)

    def forward(self, input_ids):
        hidden_states = self.model(input_ids)
        logits = self.score(hidden_states)
        batch_size = input_ids.shape[0]
        sequence_lengths = -1  # no pad_token_id
        return logits[torch.arange(batch_size, device=logits.device), sequence_lengths]


class LlamaFmnist(nn.Module):
    """Fashion-MNIST rows as 28 tokens: Linear(28->64) embedding, 2 LLaMA layers
    (4 query heads / 2 KV heads of 16, SwiGLU 128, RMSNorm, rotary), bidirectional
    (no causal mask), mean over tokens, Linear -> 10."""

    def __init__(self):
        super().__init__()
        self.model = LlamaModel(nn.Linear(28, 64), hidden_size=64, num_heads=4, num_kv_heads=2, inter=128,
                                layers=2, max_pos=28, causal=False)
        self.classifier = nn.Linear(64, CLASSES)
        with torch.no_grad():
            for m in self.model.modules():  # trainable from scratch: default Linear init, not 0.02
                if isinstance(m, nn.Linear):
                    m.reset_parameters()

    def forward(self, x):
        return self.classifier(self.model(x).mean(dim=1))


# =============================================================================
# torch.nn.TransformerEncoder, torchvision VisionTransformer, recurrent nets
# =============================================================================

class TorchMHAEncoder(nn.Module):
    def __init__(self, batch_first):
        super().__init__()
        self.batch_first = batch_first
        layer = nn.TransformerEncoderLayer(E, H, FFN, batch_first=batch_first)
        self.encoder = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.head = nn.Linear(E, CLASSES)

    def forward(self, x):  # x: [batch, seq, feat]
        if self.batch_first:
            return self.head(self.encoder(x).mean(dim=1))
        y = self.encoder(x.transpose(0, 1))  # [seq, batch, d]
        return self.head(y.mean(dim=0))


def torchvision_vit():
    m = VisionTransformer(image_size=28, patch_size=7, num_layers=LAYERS, num_heads=H, hidden_dim=E,
                          mlp_dim=FFN, num_classes=CLASSES)
    m.conv_proj = nn.Conv2d(1, E, kernel_size=7, stride=7)
    fan_in = m.conv_proj.in_channels * m.conv_proj.kernel_size[0] * m.conv_proj.kernel_size[1]
    nn.init.trunc_normal_(m.conv_proj.weight, std=math.sqrt(1 / fan_in))  # as VisionTransformer.__init__
    nn.init.zeros_(m.conv_proj.bias)
    return m


class RecurrentNet(nn.Module):
    def __init__(self, cell, hidden=32, layers=1, bidirectional=False, **kw):
        super().__init__()
        self.rnn = cell(28, hidden, num_layers=layers, batch_first=True, bidirectional=bidirectional, **kw)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), CLASSES)

    def forward(self, x):  # x: [batch, 1, 28, 28]
        x = x.view(x.size(0), 28, 28)
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


# =============================================================================
# Layout table
# =============================================================================

def ids_input(name="input_ids"):
    return dict(name=name, shape=(2, SEQ), dtype=torch.int64)


LAYOUTS = collections.OrderedDict([
    ("hf_bert", dict(
        build=HfBertForSequenceClassification,
        inputs=[ids_input(), dict(name="attention_mask", shape=(2, SEQ), dtype=torch.int64)],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "separate_qkv", "transpose_0213", "additive_mask"],
        pattern="HF BERT: separate query/key/value MatMul+Add, Reshape [B,S,H,D] + Transpose(0,2,1,3), "
                "scores Div by sqrt(D) + additive mask (1-mask)*min from attention_mask "
                "(Unsqueeze/Cast/Sub/Mul), merge Transpose(0,2,1,3)+Reshape, post-LN residual, erf GELU, "
                "pooler Gather(token 0)+Gemm+Tanh")),
    ("timm_vit", dict(
        build=lambda: TimmVisionTransformer(TimmAttention),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=2 * E,
        expect=["attention", "packed_qkv_5d", "transpose_20314", "split_packed_axis", "residual_add"],
        pattern="timm ViT: packed qkv MatMul [E,3E]+Add, Reshape [B,N,3,H,D] + Transpose(2,0,3,1,4), "
                "unbind as Split(axis 0) + Squeeze(axis 0) (torch 1.13 exports unbind so), q*scale, merge Transpose(0,2,1,3)+Reshape [B,N,C], "
                "pre-LN, class token Concat + pos_embed Add, head on Gather(token 0)")),
    ("plain_vit", dict(
        build=lambda: TimmVisionTransformer(PlainAttention),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=2 * E,
        expect=["attention", "separate_qkv", "transpose_0213", "merge_c_from_shape", "residual_add"],
        pattern="ViT with separate q/k/v MatMul+Add, Reshape [B,N,H,D] + Transpose(0,2,1,3), merge "
                "Transpose(0,2,1,3)+Reshape whose C is Shape(residual)[2] (Shape/Gather/Unsqueeze/Concat)")),
    ("hf_gpt2", dict(
        build=HfGPT2ForSequenceClassification,
        inputs=[ids_input()],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "packed_qkv_split", "causal_where", "transpose_0213", "tanh_gelu"],
        pattern="HF GPT-2: Conv1D as MatMul [in,out] (+Add; addmm on a 2-D view: Reshape [-1,E] before, "
                "Reshape back after), c_attn packed [E,3E] then Split(axis 2) into q/k/v, heads Reshape + "
                "Transpose(0,2,1,3), causal Where(tril bool buffer slice, scores, min), tanh GELU "
                "(Pow/Tanh), pre-LN, score on every token then Gather of the last token")),
    ("hf_gpt2_lm", dict(
        build=HfGPT2LMHeadModel, opsets=(14,), output_name="logits",
        inputs=[ids_input()],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "packed_qkv_split", "causal_where", "tanh_gelu", "untied_lm_head_copy"],
        pattern="GPT-2 LM head tied to wte: output logits [batch, seq, vocab] (the exporter names the seq dim "
                "symbolically). Constant folding un-ties the weights: Gather reads wte [V,E] and the last MatMul a "
                "transposed copy [E,V] (untied_lm_head_copy), so pruning E must touch both initializers")),
    ("hf_llama", dict(
        build=lambda: HfLlamaForSequenceClassification(num_kv_heads=2),
        inputs=[ids_input()],
        heads=H, kv_heads=2, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "separate_qkv", "gqa_expand", "rmsnorm", "rotate_half", "swiglu"],
        pattern="HF LLaMA: bias-free q/k/v/o MatMul, q [B,S,4,D] and k/v [B,S,2,D] Reshape + Transpose(0,2,1,3), "
                "rotary (constant cos/sin, rotate_half = Slice/Neg/Concat), repeat_kv = Unsqueeze + Expand "
                "[B,2,2,S,D] + Reshape [B,4,S,D], causal additive mask, RMSNorm "
                "(Pow/ReduceMean/Add/Sqrt/Div/Mul), SwiGLU (Sigmoid*x gate * up), last-token Gather")),
    ("hf_llama_mqa", dict(
        build=lambda: HfLlamaForSequenceClassification(num_kv_heads=1),
        inputs=[ids_input()],
        heads=H, kv_heads=1, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "separate_qkv", "gqa_expand", "rmsnorm", "rotate_half", "swiglu"],
        pattern="HF LLaMA with multi-query attention: one KV head (k/v projections [E,D]), repeat_kv "
                "Expand [B,1,4,S,D] + Reshape [B,4,S,D]")),
    ("torch_mha", dict(
        build=lambda: TorchMHAEncoder(batch_first=False),
        inputs=[dict(name="input", shape=(2, SEQ, E), dtype=torch.float32)],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "packed_qkv_slice", "heads_folded_into_batch"],
        pattern="nn.TransformerEncoder (seq-first, input transposed inside): packed in-proj MatMul+Add then 3 "
                "Slices, heads folded into the batch axis (Reshape [S,B*H,D] + Transpose(1,0,2)), 3-D "
                "MatMul/Softmax, post-LN, ReLU FFN")),
    ("torch_mha_bf", dict(
        build=lambda: TorchMHAEncoder(batch_first=True),
        inputs=[dict(name="input", shape=(2, SEQ, E), dtype=torch.float32)],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "packed_qkv_slice", "heads_folded_into_batch"],
        pattern="nn.TransformerEncoder batch_first=True: as torch_mha plus Transpose(1,0,2) in and out of each "
                "attention (MHA works seq-first internally)")),
    ("torchvision_vit", dict(
        build=torchvision_vit,
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        expect=["attention", "packed_qkv_slice", "heads_folded_into_batch"],
        pattern="torchvision VisionTransformer (1 input channel): Conv patch embed + Reshape/Transpose, class "
                "token Expand+Concat, nn.MultiheadAttention (packed in-proj, Slices, heads folded into batch)")),
    ("lstm_stack", dict(
        build=lambda: RecurrentNet(nn.LSTM, layers=2),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        hidden=32, rnn_units=32,
        expect=["LSTM", "dynamic_batch_reshape"],
        pattern="2-layer LSTM: two LSTM nodes (Squeeze of num_directions between), Reshape [B,28,28] from "
                "Shape(input)[0], Transpose to seq-first, last step Gather")),
    ("lstm_bidir", dict(
        build=lambda: RecurrentNet(nn.LSTM, bidirectional=True),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        hidden=32, rnn_units=32,
        expect=["LSTM", "bidirectional", "dynamic_batch_reshape"],
        pattern="bidirectional LSTM node (direction=bidirectional), Y [S,2,B,H] Transpose+Reshape to [S,B,2H]")),
    ("gru_stack", dict(
        build=lambda: RecurrentNet(nn.GRU, layers=2),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        hidden=32, rnn_units=32,
        expect=["GRU", "dynamic_batch_reshape"],
        pattern="2-layer GRU: two GRU nodes (linear_before_reset=1)")),
    ("gru_bidir", dict(
        build=lambda: RecurrentNet(nn.GRU, bidirectional=True),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        hidden=32, rnn_units=32,
        expect=["GRU", "bidirectional", "dynamic_batch_reshape"],
        pattern="bidirectional GRU node, Y [S,2,B,H] Transpose+Reshape to [S,B,2H]")),
    ("rnn_tanh", dict(
        build=lambda: RecurrentNet(nn.RNN, nonlinearity="tanh"),
        inputs=[dict(name="input", shape=(2, 1, 28, 28), dtype=torch.float32)],
        hidden=32, rnn_units=32,
        expect=["RNN", "dynamic_batch_reshape"],
        pattern="1-layer Elman RNN (tanh): one ONNX RNN node")),
])


def trained_like_init(model, seed):
    """As make_corpus.trained_like_init, plus RMSNorm weights: re-draw norm
    weights U(0.5,1.5) / biases N(0,0.1), re-initialise each
    TransformerEncoderLayer separately, and add N(0,0.02) noise to any parameter
    whose elements are all equal, so the exporter shares no initializers."""
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.TransformerEncoderLayer):
                for sub in m.modules():
                    if isinstance(sub, nn.MultiheadAttention):
                        sub._reset_parameters()
                    elif isinstance(sub, (nn.Linear, nn.LayerNorm)):
                        sub.reset_parameters()
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm, LlamaRMSNorm)):
                if getattr(m, "weight", None) is not None:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                if getattr(m, "bias", None) is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
        for p in model.parameters():
            flat = p.detach().reshape(-1)
            if flat.numel() > 1 and bool((flat == flat[0]).all()):
                p.add_(torch.randn(p.shape, generator=g) * 0.02)
            elif flat.numel() > 1 and p.dim() == 2 and bool((p == 0).all(dim=1).any()):
                # e.g. BERT's padding_idx row of zeros (equal rows within one tensor are fine,
                # but keep it non-degenerate like a trained embedding)
                p.add_(torch.randn(p.shape, generator=g) * 0.002)


# =============================================================================
# ONNX Runtime contrib-op layouts (written with onnx.helper)
# =============================================================================

MS = "com.microsoft"


class GraphBuilder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.n = 0

    def w(self, name, shape, std=None, value=None, dtype=np.float32):
        if value is None:
            fan_in = shape[0] if len(shape) > 1 else 1
            std = std if std is not None else 1.0 / math.sqrt(fan_in)
            value = self.rng.normal(0.0, std, size=shape)
        arr = np.asarray(value).astype(dtype)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def norm_w(self, name, dim):
        return self.w(name, (dim,), value=self.rng.uniform(0.5, 1.5, size=(dim,)))

    def bias(self, name, dim):
        return self.w(name, (dim,), value=self.rng.normal(0.0, 0.1, size=(dim,)))

    def node(self, op, inputs, outputs=None, domain=None, name=None, **attrs):
        self.n += 1
        name = name or f"{op}_{self.n}"
        if outputs is None:
            outputs = [f"{name}_out"]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, domain=domain, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs


def ort_model(gb, inputs, outputs, name):
    graph = helper.make_graph(gb.nodes, name, inputs, outputs, gb.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)],
                          producer_name="onnx-hap tools/make_layouts.py")
    m.ir_version = 8
    return m


def _ffn(gb, x, p, layer, kind):
    """MatMul -> FastGelu(bias) or BiasGelu -> MatMul; the output bias goes into
    the following SkipLayerNormalization (as ORT's fusions leave it)."""
    h = gb.node("MatMul", [x, gb.w(f"{p}{layer}.ffn.fc1.weight", (E, FFN))], name=f"{p}{layer}_fc1")
    b1 = gb.bias(f"{p}{layer}.ffn.fc1.bias", FFN)
    if kind == "FastGelu":
        g = gb.node("FastGelu", [h, b1], domain=MS, name=f"{p}{layer}_fastgelu")
    else:
        g = gb.node("BiasGelu", [h, b1], domain=MS, name=f"{p}{layer}_biasgelu")
    return gb.node("MatMul", [g, gb.w(f"{p}{layer}.ffn.fc2.weight", (FFN, E))], name=f"{p}{layer}_fc2")


def _bert_layer_attention(gb, x, mask_index, p, layer, ffn_kind):
    a = gb.node("Attention", [x, gb.w(f"{p}{layer}.attn.qkv.weight", (E, 3 * E)),
                              gb.bias(f"{p}{layer}.attn.qkv.bias", 3 * E), mask_index],
                domain=MS, name=f"{p}{layer}_attention", num_heads=H)
    o = gb.node("MatMul", [a, gb.w(f"{p}{layer}.attn.out.weight", (E, E))], name=f"{p}{layer}_attn_out")
    ln1 = gb.node("SkipLayerNormalization",
                  [o, x, gb.norm_w(f"{p}{layer}.ln1.gamma", E), gb.bias(f"{p}{layer}.ln1.beta", E),
                   gb.bias(f"{p}{layer}.attn.out.bias", E)],
                  domain=MS, name=f"{p}{layer}_skipln1", epsilon=1e-12)
    f = _ffn(gb, ln1, p, layer, ffn_kind)
    return gb.node("SkipLayerNormalization",
                   [f, ln1, gb.norm_w(f"{p}{layer}.ln2.gamma", E), gb.bias(f"{p}{layer}.ln2.beta", E),
                    gb.bias(f"{p}{layer}.ffn.fc2.bias", E)],
                   domain=MS, name=f"{p}{layer}_skipln2", epsilon=1e-12)


def _cls_head(gb, h, p="", pool="first"):
    if pool == "first":
        idx = gb.w("head.token_index", (), value=np.array(0), dtype=np.int64)
        v = gb.node("Gather", [h, idx], name="first_token", axis=1)
    else:
        v = gb.node("ReduceMean", [h], name="mean_pool", axes=[1], keepdims=0)
    return gb.node("Gemm", [v, gb.w("classifier.weight", (CLASSES, E), std=0.1), gb.bias("classifier.bias", CLASSES)],
                   outputs=["logits"], name="classifier", transB=1)


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def ort_attention():
    """(a) BERT encoder as ORT's optimizer leaves it after embedding: LayerNorm,
    then per layer Attention(packed [E,3E] + bias, mask_index [B]) + MatMul +
    SkipLayerNormalization(bias) + MatMul/FastGelu|BiasGelu/MatMul + SkipLayerNormalization."""
    gb = GraphBuilder(SEED + 101)
    x = gb.node("LayerNormalization", ["input", gb.norm_w("emb_ln.gamma", E), gb.bias("emb_ln.beta", E)],
                name="emb_layernorm", axis=-1, epsilon=1e-12)
    m32 = gb.node("Cast", ["attention_mask"], name="mask_cast", to=TensorProto.INT32)
    mask_index = gb.node("ReduceSum", [m32, gb.w("mask_axes", (1,), value=[1], dtype=np.int64)],
                         name="mask_index", keepdims=0)
    for i, kind in enumerate(("FastGelu", "BiasGelu")):
        x = _bert_layer_attention(gb, x, mask_index, "layer", i, kind)
    _cls_head(gb, x)
    return ort_model(gb, [f32("input", ["batch", SEQ, E]),
                          helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", SEQ])],
                     [f32("logits", ["batch", CLASSES])], "ort_attention")


def ort_embed_ln():
    """(b) BERT with EmbedLayerNormalization (int32 input_ids/segment_ids/mask)
    producing the embedding and mask_index for Attention."""
    gb = GraphBuilder(SEED + 102)
    emb, mask_index = gb.node(
        "EmbedLayerNormalization",
        ["input_ids", "segment_ids", gb.w("word_embeddings", (VOCAB, E), std=0.1),
         gb.w("position_embeddings", (SEQ, E), std=0.1), gb.w("segment_embeddings", (2, E), std=0.1),
         gb.norm_w("emb_ln.gamma", E), gb.bias("emb_ln.beta", E), "attention_mask"],
        outputs=["embedding", "mask_index"], domain=MS, name="embed_layernorm", epsilon=1e-12)
    x = emb
    for i, kind in enumerate(("BiasGelu", "FastGelu")):
        x = _bert_layer_attention(gb, x, mask_index, "layer", i, kind)
    _cls_head(gb, x)
    i32 = lambda n: helper.make_tensor_value_info(n, TensorProto.INT32, ["batch", SEQ])  # noqa: E731
    return ort_model(gb, [i32("input_ids"), i32("segment_ids"), i32("attention_mask")],
                     [f32("logits", ["batch", CLASSES])], "ort_embed_ln")


def ort_mha():
    """(c) MultiHeadAttention with separately projected Q/K/V (MatMul without
    bias; the packed bias [3E] goes into the op) and a 2-D key_padding_mask."""
    gb = GraphBuilder(SEED + 103)
    x = gb.node("LayerNormalization", ["input", gb.norm_w("emb_ln.gamma", E), gb.bias("emb_ln.beta", E)],
                name="emb_layernorm", axis=-1, epsilon=1e-12)
    mask = gb.node("Cast", ["attention_mask"], name="mask_cast", to=TensorProto.INT32)
    for i, kind in enumerate(("FastGelu", "BiasGelu")):
        p = f"layer{i}"
        q = gb.node("MatMul", [x, gb.w(f"{p}.attn.q.weight", (E, E))], name=f"{p}_q")
        k = gb.node("MatMul", [x, gb.w(f"{p}.attn.k.weight", (E, E))], name=f"{p}_k")
        v = gb.node("MatMul", [x, gb.w(f"{p}.attn.v.weight", (E, E))], name=f"{p}_v")
        a = gb.node("MultiHeadAttention", [q, k, v, gb.bias(f"{p}.attn.qkv.bias", 3 * E), mask],
                    domain=MS, name=f"{p}_mha", num_heads=H)
        o = gb.node("MatMul", [a, gb.w(f"{p}.attn.out.weight", (E, E))], name=f"{p}_attn_out")
        ln1 = gb.node("SkipLayerNormalization",
                      [o, x, gb.norm_w(f"{p}.ln1.gamma", E), gb.bias(f"{p}.ln1.beta", E),
                       gb.bias(f"{p}.attn.out.bias", E)], domain=MS, name=f"{p}_skipln1", epsilon=1e-12)
        f = _ffn(gb, ln1, "layer", i, kind)
        x = gb.node("SkipLayerNormalization",
                    [f, ln1, gb.norm_w(f"{p}.ln2.gamma", E), gb.bias(f"{p}.ln2.beta", E),
                     gb.bias(f"{p}.ffn.fc2.bias", E)], domain=MS, name=f"{p}_skipln2", epsilon=1e-12)
    _cls_head(gb, x, pool="mean")
    return ort_model(gb, [f32("input", ["batch", SEQ, E]),
                          helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", SEQ])],
                     [f32("logits", ["batch", CLASSES])], "ort_mha")


def ort_gqa():
    """(d) LLaMA-like decoder as ORT's optimizer leaves a prompt-only graph:
    Gather embedding, RMSNorm (decomposed for the first, then
    SkipSimplifiedLayerNormalization carrying the residual sum), q/k/v MatMul,
    GroupQueryAttention (num_heads 4, kv_num_heads 2, no past, no rotary;
    seqlens_k = S-1 per batch row built from Shape(input_ids), total_sequence_length
    = S), o_proj MatMul, SwiGLU MLP, mean pool, Gemm. GQA is causal."""
    gb = GraphBuilder(SEED + 104)
    kvh = 2
    emb = gb.node("Gather", [gb.w("embed_tokens.weight", (VOCAB, E), std=0.5), "input_ids"], name="embed", axis=0)
    shp = gb.node("Shape", ["input_ids"], name="ids_shape")
    bdim = gb.node("Slice", [shp, gb.w("c_zero", (1,), value=[0], dtype=np.int64),
                             gb.w("c_one", (1,), value=[1], dtype=np.int64)], name="batch_dim")
    seqlens_k = gb.node("ConstantOfShape", [bdim], outputs=["seqlens_k"], name="seqlens_k",
                        value=helper.make_tensor("v", TensorProto.INT32, [1], [SEQ - 1]))
    total = gb.w("total_sequence_length", (), value=np.array(SEQ), dtype=np.int32)
    # first RMSNorm, decomposed as the exporter writes LlamaRMSNorm
    sq = gb.node("Pow", [emb, gb.w("c_two", (), value=np.array(2.0))], name="rms0_pow")
    var = gb.node("ReduceMean", [sq], name="rms0_mean", axes=[-1], keepdims=1)
    den = gb.node("Sqrt", [gb.node("Add", [var, gb.w("c_eps", (), value=np.array(1e-6))], name="rms0_add")],
                  name="rms0_sqrt")
    normed = gb.node("Mul", [gb.node("Div", [emb, den], name="rms0_div"), gb.norm_w("layers.0.input_layernorm.weight", E)],
                     name="rms0_scale")
    residual = emb
    x = normed
    for i in range(LAYERS):
        p = f"layers.{i}"
        q = gb.node("MatMul", [x, gb.w(f"{p}.q_proj.weight", (E, E))], name=f"{p}.q_proj")
        k = gb.node("MatMul", [x, gb.w(f"{p}.k_proj.weight", (E, kvh * D))], name=f"{p}.k_proj")
        v = gb.node("MatMul", [x, gb.w(f"{p}.v_proj.weight", (E, kvh * D))], name=f"{p}.v_proj")
        a = gb.node("GroupQueryAttention", [q, k, v, "", "", seqlens_k, total],
                    outputs=[f"{p}.attn_out", f"{p}.present_key", f"{p}.present_value"],
                    domain=MS, name=f"{p}.gqa", num_heads=H, kv_num_heads=kvh)[0]
        o = gb.node("MatMul", [a, gb.w(f"{p}.o_proj.weight", (E, E))], name=f"{p}.o_proj")
        h, residual = gb.node("SkipSimplifiedLayerNormalization",
                              [o, residual, gb.norm_w(f"{p}.post_attention_layernorm.weight", E)],
                              outputs=[f"{p}.post_ln", "", "", f"{p}.attn_residual"], domain=MS,
                              name=f"{p}.post_attention_layernorm", epsilon=1e-6)[::3]
        gate = gb.node("MatMul", [h, gb.w(f"{p}.gate_proj.weight", (E, FFN))], name=f"{p}.gate_proj")
        up = gb.node("MatMul", [h, gb.w(f"{p}.up_proj.weight", (E, FFN))], name=f"{p}.up_proj")
        silu = gb.node("Mul", [gate, gb.node("Sigmoid", [gate], name=f"{p}.act_sigmoid")], name=f"{p}.act_silu")
        down = gb.node("MatMul", [gb.node("Mul", [silu, up], name=f"{p}.gate_mul_up"),
                                  gb.w(f"{p}.down_proj.weight", (FFN, E))], name=f"{p}.down_proj")
        nxt = f"layers.{i + 1}.input_layernorm.weight" if i + 1 < LAYERS else "norm.weight"
        x, residual = gb.node("SkipSimplifiedLayerNormalization", [down, residual, gb.norm_w(nxt, E)],
                              outputs=[f"{p}.out_ln", "", "", f"{p}.mlp_residual"], domain=MS,
                              name=f"{p}.next_norm", epsilon=1e-6)[::3]
    _cls_head(gb, x, pool="mean")
    return ort_model(gb, [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", SEQ])],
                     [f32("logits", ["batch", CLASSES])], "ort_gqa")


ORT_LAYOUTS = collections.OrderedDict([
    ("ort_attention", dict(
        build=ort_attention, expect=["ms_Attention", "ms_SkipLayerNormalization", "ms_FastGelu", "ms_BiasGelu"],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        pattern="ORT-fused BERT: com.microsoft Attention (packed QKV weight [E,3E] + bias [3E], num_heads 4, "
                "mask_index [B] = ReduceSum(Cast(mask))), output MatMul, SkipLayerNormalization (input, skip, "
                "gamma, beta, bias), FFN MatMul + FastGelu(bias) (layer 0) / BiasGelu (layer 1) + MatMul, "
                "first-token Gather + Gemm")),
    ("ort_embed_ln", dict(
        build=ort_embed_ln, expect=["ms_EmbedLayerNormalization", "ms_Attention", "ms_SkipLayerNormalization"],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        pattern="ORT-fused BERT from the embedding: EmbedLayerNormalization(input_ids, segment_ids, word/"
                "position/segment embeddings, gamma, beta, mask) -> embedding + mask_index, then as "
                "ort_attention (BiasGelu in layer 0, FastGelu in layer 1)")),
    ("ort_mha", dict(
        build=ort_mha, expect=["ms_MultiHeadAttention", "ms_SkipLayerNormalization", "separate_qkv"],
        heads=H, kv_heads=H, head_dim=D, hidden=E, ffn=FFN,
        pattern="com.microsoft MultiHeadAttention(query, key, value from three bias-free MatMuls, packed bias "
                "[3E], key_padding_mask [B,S] int32), num_heads 4; SkipLayerNormalization, FastGelu/BiasGelu; "
                "mean pool")),
    ("ort_gqa", dict(
        build=ort_gqa, expect=["ms_GroupQueryAttention", "ms_SkipSimplifiedLayerNormalization", "swiglu"],
        heads=H, kv_heads=2, head_dim=D, hidden=E, ffn=FFN,
        pattern="com.microsoft GroupQueryAttention(query [B,S,4D], key/value [B,S,2D], no past, seqlens_k "
                "[B] int32 = S-1 via Shape/Slice/ConstantOfShape, total_sequence_length int32 scalar), "
                "num_heads 4, kv_num_heads 2, causal, no rotary; SkipSimplifiedLayerNormalization carrying the "
                "residual (output 3), SwiGLU MLP (Sigmoid*Mul, Mul), mean pool. present_key/present_value are "
                "dangling node outputs")),
])


# =============================================================================
# Pattern detection
# =============================================================================

def detect_patterns(model):
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = collections.defaultdict(list)
    for n in g.node:
        for i in n.input:
            consumers[i].append(n)
    vi = {v.name: v for v in list(g.value_info) + list(g.input) + list(g.output)}

    def dims(name):
        v = vi.get(name)
        if v is None or not v.type.tensor_type.HasField("shape"):
            return None
        return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
                for d in v.type.tensor_type.shape.dim]

    def const(name):
        if name in inits:
            return numpy_helper.to_array(inits[name])
        p = producer.get(name)
        if p is not None and p.op_type == "Constant":
            return numpy_helper.to_array(p.attribute[0].t)
        return None

    def attr(n, key, default=None):
        for a in n.attribute:
            if a.name == key:
                return helper.get_attribute_value(a)
        return default

    def elem_float(name):
        v = vi.get(name)
        return v is None or v.type.tensor_type.elem_type in (0, TensorProto.FLOAT)

    found = set()
    ops = collections.Counter((n.domain + "." if n.domain else "") + n.op_type for n in g.node)
    for n in g.node:
        t = n.op_type
        if t == "Softmax":
            d = dims(n.input[0])
            if d is not None:
                found.add("heads_folded_into_batch" if len(d) == 3 else "heads_as_axis" if len(d) == 4 else
                          f"softmax_rank{len(d)}")
            found.add("attention")
            p = producer.get(n.input[0])
            if p is not None and p.op_type == "Add":
                found.add("additive_mask")
            if p is not None and p.op_type == "Where":
                found.add("causal_where")
        elif t == "Transpose":
            perm = list(attr(n, "perm", []))
            if perm == [2, 0, 3, 1, 4]:
                found.add("transpose_20314")
                p = producer.get(n.input[0])
                if p is not None and p.op_type == "Reshape":
                    s = dims(p.output[0])
                    if s is not None and len(s) == 5 and s[2] == 3:
                        found.add("packed_qkv_5d")
                if any(c.op_type == "Gather" and attr(c, "axis", 0) == 0 for c in consumers[n.output[0]]):
                    found.add("gather_packed_axis")
                if any(c.op_type == "Split" for c in consumers[n.output[0]]):
                    found.add("split_packed_axis")
            elif perm == [0, 2, 1, 3]:
                found.add("transpose_0213")
            elif perm == [1, 2, 0]:
                # nn.MultiheadAttention: k of shape [S, B*H, D] -> [B*H, D, S] for a 3-D q @ k^T
                if any(c.op_type == "MatMul" and any(cc.op_type == "Softmax" for cc in consumers[c.output[0]])
                       for c in consumers[n.output[0]]):
                    found.add("heads_folded_into_batch")
        elif t == "Split":
            d = dims(n.input[0])
            ax = attr(n, "axis", 0)
            if d is not None and ax in (len(d) - 1, -1):
                found.add("packed_qkv_split")
        elif t == "Slice" and len(n.input) > 3:
            axes = const(n.input[3])
            d = dims(n.input[0])
            p = producer.get(n.input[0])
            last_axis = [-1] if d is None else [-1, len(d) - 1]
            if axes is not None and axes.size == 1 and int(axes.reshape(-1)[0]) in last_axis + [2] \
                    and p is not None and p.op_type in ("Add", "MatMul", "Gemm") \
                    and elem_float(n.output[0]):
                found.add("packed_qkv_slice")
        elif t == "Expand":
            d = dims(n.output[0])
            if d is not None and len(d) == 5 and any(c.op_type == "Reshape" for c in consumers[n.output[0]]):
                found.add("gqa_expand")
        elif t == "Neg":
            if any(c.op_type == "Concat" for c in consumers[n.output[0]]):
                found.add("rotate_half")
        elif t == "Where":
            found.add("where")
        elif t == "Reshape":
            s = producer.get(n.input[1])
            if s is not None and s.op_type == "Concat":
                parts = [producer.get(i) for i in s.input]
                if any(pp is not None and pp.op_type == "Unsqueeze" for pp in parts):
                    found.add("shape_computed_reshape")
            # merge heads with C from Shape(residual)[2]
            if s is not None and s.op_type == "Concat" and len(s.input) == 3:
                last = producer.get(s.input[2])
                if last is not None and last.op_type == "Unsqueeze":
                    gth = producer.get(last.input[0])
                    if gth is not None and gth.op_type == "Gather" and const(gth.input[1]) is not None \
                            and int(const(gth.input[1])) == 2:
                        found.add("merge_c_from_shape")
            if n.input[0] in {i.name for i in g.input}:
                found.add("dynamic_batch_reshape")
        elif t == "Mul":
            srcs = [producer.get(i) for i in n.input]
            for s, other in zip(srcs, reversed(n.input)):
                if s is not None and s.op_type == "Sigmoid" and s.input[0] == other:
                    found.add("silu")
                    if any(c.op_type == "Mul" for c in consumers[n.output[0]]):
                        found.add("swiglu")
        elif t in ("LSTM", "GRU", "RNN"):
            found.add(t)
            if attr(n, "direction", b"forward") in (b"bidirectional", "bidirectional"):
                found.add("bidirectional")
        elif t == "Tanh":
            p = producer.get(n.input[0])
            if p is not None and p.op_type == "Mul":
                found.add("tanh_gelu")
    # separate q/k/v: >= 3 MatMuls reading the same tensor with 2-D initializer weights
    by_input = collections.Counter(n.input[0] for n in g.node if n.op_type == "MatMul" and n.input[1] in inits)
    if any(c >= 3 for c in by_input.values()):
        found.add("separate_qkv")
    if ops.get("LayerNormalization") or (ops.get("ReduceMean") and ops.get("Sub") and ops.get("Pow")):
        found.add("layernorm")
    if ops.get("Pow") and ops.get("ReduceMean") and not ops.get("Sub") and (ops.get("Sqrt")):
        found.add("rmsnorm")
    if ops.get("Erf"):
        found.add("erf_gelu")
    if ops.get("Identity"):
        found.add("identity")
    # tied embedding: one initializer read by a Gather and (maybe through Transpose) by a MatMul/Gemm
    for name in inits:
        cs = consumers.get(name, [])
        kinds = {c.op_type for c in cs}
        if "Gather" in kinds and (kinds & {"MatMul", "Gemm", "Transpose"}):
            found.add("tied_embedding")
    # tied weights that constant folding un-tied: a Gather table X [V,E] and a MatMul weight equal to X^T
    gathered = [numpy_helper.to_array(inits[n.input[0]]) for n in g.node
                if n.op_type == "Gather" and n.input[0] in inits and len(inits[n.input[0]].dims) == 2]
    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in inits and len(inits[n.input[1]].dims) == 2:
            w = numpy_helper.to_array(inits[n.input[1]])
            if any(t.shape == w.T.shape and np.array_equal(t, w.T) for t in gathered):
                found.add("untied_lm_head_copy")
    for n in g.node:
        if n.domain == MS:
            found.add("ms_" + n.op_type)
        # residual add of two computed tensors
        if n.op_type == "Add" and all(i not in inits and const(i) is None for i in n.input):
            d = [dims(i) for i in n.input]
            if all(x is not None and len(x) == 3 for x in d) and d[0] == d[1]:
                found.add("residual_add")
    return sorted(found), ops


# =============================================================================
# Export + manifest
# =============================================================================

DT = {TensorProto.FLOAT: "float32", TensorProto.INT64: "int64", TensorProto.INT32: "int32"}


def io_desc(vs):
    return [dict(name=v.name, dtype=DT.get(v.type.tensor_type.elem_type, str(v.type.tensor_type.elem_type)),
                 shape=[d.dim_param if d.dim_param else d.dim_value for d in v.type.tensor_type.shape.dim])
            for v in vs]


def describe(path, m, key, spec, opset, params, checked, expect=()):
    inferred = shape_inference.infer_shapes(m, data_prop=True)
    patterns, ops = detect_patterns(inferred)
    missing = [p for p in expect if p not in patterns]
    if "identity" in patterns:
        missing.append("no Identity nodes (shared initializers)")
    e = collections.OrderedDict(
        file=os.path.basename(path), layout=key, opset=opset,
        status="ok" if not missing else "missing_patterns")
    if missing:
        e["error"] = f"expected patterns not found: {missing}"
    e["inputs"] = io_desc(m.graph.input)
    e["outputs"] = io_desc(m.graph.output)
    for k in ("heads", "kv_heads", "head_dim", "hidden", "ffn", "rnn_units"):
        if k in spec:
            e[k] = spec[k]
    e["params"] = params
    e["pattern"] = spec["pattern"]
    e["patterns"] = patterns
    e["expected_patterns"] = list(expect)
    e["op_types"] = dict(sorted(ops.items()))
    e["nodes"] = len(m.graph.node)
    e["initializers"] = len(m.graph.initializer)
    e["ir_version"] = m.ir_version
    e["size_bytes"] = os.path.getsize(path)
    with open(path, "rb") as f:
        e["sha256"] = hashlib.sha256(f.read()).hexdigest()
    e["checked"] = checked
    return e


def example_inputs(spec, seed):
    g = torch.Generator().manual_seed(seed)
    xs = []
    for inp in spec["inputs"]:
        if inp["dtype"] == torch.int64 and inp["name"] == "attention_mask":
            x = torch.ones(inp["shape"], dtype=torch.int64)
            x[1, -3:] = 0  # one padded row
        elif inp["dtype"] == torch.int64:
            x = torch.randint(1, VOCAB, inp["shape"], generator=g)
        else:
            x = torch.randn(inp["shape"], generator=g)
        xs.append(x)
    return tuple(xs)


def export_torch(key, spec, opset, out):
    fname = f"{key}_op{opset}.onnx"
    path = os.path.join(out, fname)
    t0 = time.time()
    try:
        torch.manual_seed(SEED)
        model = spec["build"]()
        trained_like_init(model, SEED)
        model.eval()
        params = sum(p.numel() for p in model.parameters())
        args = example_inputs(spec, SEED)
        with torch.no_grad():
            ref = model(*args)
        in_names = [i["name"] for i in spec["inputs"]]
        out_name = spec.get("output_name", "logits")
        dyn = {n: {0: "batch"} for n in in_names}
        dyn[out_name] = {0: "batch"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, args, path, opset_version=opset, do_constant_folding=True,
                              input_names=in_names, output_names=[out_name], dynamic_axes=dyn)
        onnx.checker.check_model(path, full_check=True)
        m = onnx.load(path)
        e = describe(path, m, key, spec, opset, params, "onnx.checker.check_model(full_check=True)",
                     spec.get("expect", ()))
        got = e["outputs"][0]["shape"]
        # every dim but batch must match where the exporter could name it statically
        assert len(got) == ref.dim() and all(not isinstance(a, int) or a == b for a, b in
                                             zip(got[1:], ref.shape[1:])), (ref.shape, got)
    except Exception as ex:  # record and go on
        traceback.print_exc()
        e = collections.OrderedDict(file=fname, layout=key, opset=opset, status="error",
                                    error=f"{type(ex).__name__}: {ex}")
        if os.path.exists(path):
            os.remove(path)
    e["export_seconds"] = round(time.time() - t0, 2)
    return e


def export_ort(key, spec, out):
    fname = f"{key}_op17.onnx"
    path = os.path.join(out, fname)
    t0 = time.time()
    try:
        m = spec["build"]()
        onnx.checker.check_model(m)  # no full_check: no schemas for com.microsoft ops
        onnx.save(m, path)
        params = int(sum(numpy_helper.to_array(i).size for i in m.graph.initializer
                         if numpy_helper.to_array(i).dtype == np.float32))
        e = describe(path, m, key, spec, 17, params,
                     "onnx.checker.check_model (no full_check: contrib ops); run it in ONNX Runtime",
                     spec["expect"])
        e["domains"] = {o.domain or "ai.onnx": o.version for o in m.opset_import}
    except Exception as ex:
        traceback.print_exc()
        e = collections.OrderedDict(file=fname, layout=key, opset=17, status="error",
                                    error=f"{type(ex).__name__}: {ex}")
        if os.path.exists(path):
            os.remove(path)
    e["export_seconds"] = round(time.time() - t0, 2)
    return e


# =============================================================================
# Trained fixture
# =============================================================================

TRAIN = dict(epochs=2, samples=20000, lr=3e-3, batch_size=128, weight_decay=1e-4)


def _train_fmnist(model, name, cfg, image_shape):
    """Train `model` on a seeded subset of Fashion-MNIST (AdamW + one-cycle) and
    return (test accuracy on all 10,000 test images, first 256 test images shaped
    `image_shape`, their labels, seconds). Images are reshaped to [N, *image_shape]."""
    t0 = time.time()
    train_x, train_y = (torch.from_numpy(a) for a in fmnist.load("train"))
    test_x_np, test_y_np = fmnist.load("test")
    train_x = train_x.reshape(len(train_x), *image_shape)
    test_x_np = np.ascontiguousarray(test_x_np.reshape(len(test_x_np), *image_shape))
    g = torch.Generator().manual_seed(SEED)
    idx = torch.randperm(len(train_x), generator=g)[:cfg["samples"]]
    x, y = train_x[idx], train_y[idx]
    bs = cfg["batch_size"]
    steps = cfg["epochs"] * math.ceil(len(x) / bs)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], total_steps=steps)
    model.train()
    for ep in range(cfg["epochs"]):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), bs):
            b = perm[i:i + bs]
            loss = F.cross_entropy(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"  {name} epoch {ep + 1}: last loss {loss.item():.3f} ({time.time() - t0:.0f}s)", flush=True)
    model.eval()
    test_x = torch.from_numpy(test_x_np)
    with torch.no_grad():
        pred = torch.cat([model(test_x[i:i + 1000]) for i in range(0, len(test_x), 1000)]).argmax(1)
    acc = float((pred == torch.from_numpy(test_y_np)).float().mean())
    return acc, np.ascontiguousarray(test_x_np[:256]), test_y_np[:256], time.time() - t0


def _export_trained(model, path, opset, sample_x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.from_numpy(sample_x[:2]), path, opset_version=opset, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(path, full_check=True)


def _train_entry(e, acc, cfg, samples, t0):
    e["test_accuracy"] = round(acc, 4)
    e["samples"] = samples
    e["train"] = dict(cfg, seed=SEED, optimizer="AdamW+OneCycleLR",
                      subset="first `samples` of torch.randperm(60000) seeded with `seed`",
                      normalisation=dict(mean=fmnist.MEAN, std=fmnist.STD))
    e["train_seconds"] = round(time.time() - t0, 1)
    return e


def train_llama_fmnist(out):
    t0 = time.time()
    fmnist.seed_everything(SEED)
    model = LlamaFmnist()
    acc, sample_x, sample_y, _ = _train_fmnist(model, "llama_fmnist", TRAIN, (28, 28))
    with torch.no_grad():
        expected = model(torch.from_numpy(sample_x)).numpy().astype(np.float32)
    path = os.path.join(out, "llama_fmnist.onnx")
    _export_trained(model, path, 14, sample_x)
    np.savez_compressed(os.path.join(out, "llama_fmnist.npz"), input=sample_x, labels=sample_y)
    np.save(os.path.join(out, "llama_fmnist.expected.npy"), expected)
    spec = dict(heads=4, kv_heads=2, head_dim=16, hidden=64, ffn=128,
                pattern="trained LLaMA-style Fashion-MNIST classifier: rows as 28 tokens, Linear(28->64) "
                        "embedding, 2 layers of RMSNorm + GQA (4 query / 2 KV heads of 16, rotary, "
                        "repeat_kv Expand, no causal mask) + SwiGLU 128, final RMSNorm, mean over tokens, "
                        "Linear 64->10")
    e = describe(path, onnx.load(path), "llama_fmnist", spec, 14, sum(p.numel() for p in model.parameters()),
                 "onnx.checker.check_model(full_check=True)",
                 ["attention", "gqa_expand", "rmsnorm", "rotate_half", "swiglu"])
    e = _train_entry(e, acc, TRAIN, "llama_fmnist.npz", t0)
    e["expected"] = "llama_fmnist.expected.npy"
    print(f"llama_fmnist: test acc {acc:.4f}, {time.time() - t0:.0f}s", flush=True)
    return e


# timm-style ViT trained on Fashion-MNIST, exported at opset 17 so its LayerNorms are
# LayerNormalization ops, with heads merged to their own width (InnerDimMergeAttention)
# so the residual width is prunable; the measurement of `compress --prune-hidden` in
# README.md uses it.
VIT_FMNIST = dict(embed_dim=64, depth=3, num_heads=4, mlp_ratio=2.0, patch_size=7)
VIT_TRAIN = dict(epochs=3, samples=20000, lr=3e-3, batch_size=128, weight_decay=1e-4)


def train_vit_fmnist(out):
    t0 = time.time()
    fmnist.seed_everything(SEED)
    model = TimmVisionTransformer(InnerDimMergeAttention, img_size=28, in_chans=1, num_classes=CLASSES,
                                  **VIT_FMNIST)
    acc, sample_x, sample_y, _ = _train_fmnist(model, "vit_fmnist", VIT_TRAIN, (1, 28, 28))
    path = os.path.join(out, "vit_fmnist_op17.onnx")
    _export_trained(model, path, 17, sample_x)
    np.savez_compressed(os.path.join(out, "vit_fmnist.npz"), input=sample_x, labels=sample_y)
    c = VIT_FMNIST["embed_dim"]
    spec = dict(heads=VIT_FMNIST["num_heads"], kv_heads=VIT_FMNIST["num_heads"],
                head_dim=c // VIT_FMNIST["num_heads"], hidden=c, ffn=int(c * VIT_FMNIST["mlp_ratio"]),
                pattern=f"trained timm-style ViT on Fashion-MNIST: 1x28x28, patch 7 (16 patches + class token), "
                        f"hidden {c}, {VIT_FMNIST['depth']} pre-LN blocks of {VIT_FMNIST['num_heads']} heads + "
                        f"GELU MLP {int(c * VIT_FMNIST['mlp_ratio'])}, heads merged by Reshape [B,N,H*D] (constant, "
                        f"not timm's C from Shape), LayerNormalization (opset 17), "
                        f"head on the class token")
    e = describe(path, onnx.load(path), "vit_fmnist", spec, 17, sum(p.numel() for p in model.parameters()),
                 "onnx.checker.check_model(full_check=True)",
                 ["attention", "packed_qkv_5d", "transpose_20314", "split_packed_axis", "residual_add"])
    e = _train_entry(e, acc, VIT_TRAIN, "vit_fmnist.npz", t0)
    print(f"vit_fmnist: test acc {acc:.4f}, {time.time() - t0:.0f}s", flush=True)
    return e


TRAINED = collections.OrderedDict([
    ("llama_fmnist", ("llama_fmnist.onnx", train_llama_fmnist)),
    ("vit_fmnist", ("vit_fmnist_op17.onnx", train_vit_fmnist)),
])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--only", help="comma-separated layout keys")
    ap.add_argument("--skip-train", action="store_true",
                    help="do not retrain llama_fmnist / vit_fmnist (keep their manifest entries)")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    keys = args.only.split(",") if args.only else list(LAYOUTS) + list(ORT_LAYOUTS) + list(TRAINED)
    for k in keys:
        if k not in LAYOUTS and k not in ORT_LAYOUTS and k not in TRAINED:
            sys.exit(f"unknown layout {k!r}")
    t_all = time.time()
    entries = []
    for k in keys:
        if k in LAYOUTS:
            for opset in LAYOUTS[k].get("opsets", OPSETS):
                entries.append(export_torch(k, LAYOUTS[k], opset, out))
        elif k in ORT_LAYOUTS:
            entries.append(export_ort(k, ORT_LAYOUTS[k], out))
        elif not args.skip_train:
            fname, train = TRAINED[k]
            try:
                entries.append(train(out))
            except Exception as ex:
                traceback.print_exc()
                entries.append(dict(file=fname, layout=k, status="error",
                                    error=f"{type(ex).__name__}: {ex}"))

    mpath = os.path.join(out, "layouts.json")
    old = []
    if os.path.exists(mpath):
        with open(mpath) as f:
            old = json.load(f).get("models", [])
    rebuilt = {e["file"] for e in entries}
    order = [f"{k}_op{o}.onnx" for k in LAYOUTS for o in LAYOUTS[k].get("opsets", OPSETS)] + \
            [f"{k}_op17.onnx" for k in ORT_LAYOUTS] + [f for f, _ in TRAINED.values()]
    merged = [e for e in old if e["file"] not in rebuilt and e["file"] in order] + entries
    merged.sort(key=lambda e: order.index(e["file"]) if e["file"] in order else len(order))
    manifest = collections.OrderedDict(
        generator="tools/make_layouts.py",
        torch_version=torch.__version__, torchvision_version=torchvision.__version__,
        onnx_version=onnx.__version__, seed=SEED,
        sizes=dict(hidden=E, heads=H, head_dim=D, ffn=FFN, seq=SEQ, vocab=VOCAB, layers=LAYERS, classes=CLASSES),
        export=dict(exporter="torch.onnx.export", opsets=list(OPSETS), do_constant_folding=True,
                    dynamic_axes={"0": "batch"}, sequence_axis="static", mode="eval",
                    init="library-style init, then trained_like_init (norm weights U(0.5,1.5), biases "
                         "N(0,0.1), N(0,0.02) on all-equal parameters)"),
        ort_layouts="written with onnx.helper: opset 17 + com.microsoft 1, seeded numpy weights",
        params_note="PyTorch numel() sum; for ort_* the float initializer elements",
        models=merged)
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    print(f"\n{'file':28s} {'status':8s} {'params':>7s} {'bytes':>7s}  patterns")
    for e in merged:
        print(f"{e['file']:28s} {e['status']:8s} {e.get('params', '-'):>7} {e.get('size_bytes', '-'):>7}  "
              f"{' '.join(e.get('patterns', []))} {e.get('error', '')}"
              + (f" acc={e['test_accuracy']}" if "test_accuracy" in e else ""))
    bad = [e["file"] for e in entries if e["status"] != "ok"]
    print(f"{len(entries) - len(bad)}/{len(entries)} ok in {time.time() - t_all:.0f}s -> {out}")
    if bad:
        print("not ok:", ", ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
