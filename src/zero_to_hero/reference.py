"""Published numbers from the original lectures and repositories, each with its source.

Tests assert against these, pages print them next to what the build computed, and the
results page shows them beside each benchmark row. Keep them here, once, never typed
into prose.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Anchor",
    "ANCHORS",
    "anchor",
    "MAKEMORE_BIGRAM_SAMPLES",
    "CPU_RTOL",
    "agrees_across_cpus",
]

# Float32 matrix products round differently on different CPU kernels (AVX2 against
# AVX-512, MKL against OpenBLAS), so a number a float32 training run produces here and
# one recorded on another machine agree to about 6 significant digits, not bit for bit
# (1,000 steps of the backprop MLP: 2.412147045135498 on AVX-512, 2.412146806716919 on
# AVX2, 1e-7 apart). Such a number is compared within CPU_RTOL. Exact equality is
# claimed only where it holds on every machine: integer counts, pure-Python float64
# arithmetic done in a fixed order, and two runs on one machine (the same kernels, the
# same rounding).
CPU_RTOL = 1e-6


def agrees_across_cpus(ours: float, recorded: float) -> bool:
    """Whether a float32 result agrees with one recorded on any x86-64 machine
    (CPU_RTOL)."""
    return abs(ours - recorded) <= CPU_RTOL * abs(recorded)


@dataclass(frozen=True)
class Anchor:
    """A reference number and where it was published."""

    value: float
    source: str
    note: str = ""


_BOEHM = (
    "Simon Boehm, How to Optimize a CUDA Matmul Kernel for cuBLAS-like Performance "
    "(A6000)"
)
_BOEHM_H100 = "siboehm/SGEMM_CUDA rerun on an H100 (unattributed public course report)"
_GODOY = "Godoy et al. (IPDPSW 2023)"

ANCHORS: dict[str, Anchor] = {
    # micrograd: the README example expression
    "micrograd.readme.g": Anchor(
        24.7041, "micrograd README (forward pass of the example)"
    ),
    "micrograd.readme.dg_da": Anchor(138.8338, "micrograd README (dg/da)"),
    "micrograd.readme.dg_db": Anchor(645.5773, "micrograd README (dg/db)"),
    # micrograd: demo.ipynb, the two-moons classifier
    "micrograd.demo.step0_loss": Anchor(
        0.8958441028683222, "micrograd demo.ipynb, step 0"
    ),
    "micrograd.demo.step0_accuracy": Anchor(0.5, "micrograd demo.ipynb, step 0"),
    "micrograd.demo.final_loss": Anchor(
        0.010978370135492717, "micrograd demo.ipynb, step 99"
    ),
    "micrograd.demo.final_accuracy": Anchor(1.0, "micrograd demo.ipynb, step 99"),
    "micrograd.demo.params": Anchor(337, "micrograd demo.ipynb, MLP(2, [16, 16, 1])"),
    # micrograd: the single tanh neuron of the lecture
    "micrograd.neuron.o": Anchor(
        0.7071, "micrograd lecture, the single-neuron example"
    ),
    "micrograd.neuron.dx1": Anchor(
        -1.5, "micrograd lecture, the single-neuron example"
    ),
    "micrograd.neuron.dw1": Anchor(1.0, "micrograd lecture, the single-neuron example"),
    "micrograd.neuron.dx2": Anchor(0.5, "micrograd lecture, the single-neuron example"),
    "micrograd.neuron.dw2": Anchor(0.0, "micrograd lecture, the single-neuron example"),
    # micrograd 0.1.0 (PyPI), measured on the project's 2-core CI machine kind
    "micrograd.upstream.recursion_limit_chain": Anchor(
        996,
        "micrograd 0.1.0, Python 3.11 default recursion limit",
        "longest x = x + 1 chain whose backward() works",
    ),
    # makemore: names.txt and the lectures' split (makemore parts 2-5 use the part3
    # split)
    "makemore.names": Anchor(32033, "makemore names.txt (lecture 2, cell 2)"),
    "makemore.bigrams": Anchor(
        228146, "every bigram of names.txt, boundaries included"
    ),
    "makemore.split.train": Anchor(182625, "makemore part3 cell 5, context 3"),
    "makemore.split.val": Anchor(22655, "makemore part3 cell 5, context 3"),
    "makemore.split.test": Anchor(22866, "makemore part3 cell 5, context 3"),
    # makemore part 1: bigrams
    "makemore.bigram.nll": Anchor(
        2.454014,
        "counts model, no smoothing, all 228,146 bigrams (re-measured, torch 2.13)",
        "the notebook's printed 2.4765 was computed from the trained neural W, not the "
        "counts",
    ),
    "makemore.bigram.nll_smoothed": Anchor(
        2.454577, "counts model, +1 smoothing, all bigrams (re-measured, torch 2.13)"
    ),
    "makemore.neural_bigram.loss": Anchor(
        2.4818,
        "makemore part1 cell 57: loss incl. 0.01·mean(W²) after training (lr 50)",
    ),
    "makemore.neural_bigram.step0": Anchor(
        3.7686, "neural bigram re-run: loss at step 0"
    ),
    "makemore.neural_bigram.step100": Anchor(
        2.4900, "neural bigram re-run: loss at step 100"
    ),
    "makemore.neural_bigram.step300": Anchor(
        2.4815, "neural bigram re-run: loss at step 300"
    ),
    "makemore.neural_bigram.step500": Anchor(
        2.4807, "neural bigram re-run: loss at step 500"
    ),
    # makemore part 2: the MLP (11,897 parameters); part 2's own split is not
    # reproducible
    "makemore.mlp.params": Anchor(11897, "makemore part2 cell 23"),
    "makemore.mlp.part2_train": Anchor(
        2.1260, "makemore part2 cell 29 (its own split)"
    ),
    "makemore.mlp.part2_val": Anchor(2.1701, "makemore part2 cell 30 (its own split)"),
    # makemore part 3: the init-fixes loss log (cell 11), canonical split, 200k steps
    # each
    "makemore.init.mlp.train": Anchor(
        2.1245384216308594, "makemore part3 loss log: original"
    ),
    "makemore.init.mlp.val": Anchor(
        2.168196439743042, "makemore part3 loss log: original"
    ),
    "makemore.init.mlp-softmax-fix.train": Anchor(
        2.07,
        "makemore part3 loss log: fix softmax confidently wrong (published rounded)",
    ),
    "makemore.init.mlp-softmax-fix.val": Anchor(
        2.13,
        "makemore part3 loss log: fix softmax confidently wrong (published rounded)",
    ),
    "makemore.init.mlp-tanh-fix.train": Anchor(
        2.0355966091156006,
        "makemore part3 loss log: fix tanh layer too saturated at init",
    ),
    "makemore.init.mlp-tanh-fix.val": Anchor(
        2.1026785373687744,
        "makemore part3 loss log: fix tanh layer too saturated at init",
    ),
    "makemore.init.mlp-kaiming.train": Anchor(
        2.0376641750335693, "makemore part3 loss log: semi-principled Kaiming init"
    ),
    "makemore.init.mlp-kaiming.val": Anchor(
        2.106989622116089, "makemore part3 loss log: semi-principled Kaiming init"
    ),
    "makemore.init.mlp-bn-b1.train": Anchor(
        2.0668270587921143, "makemore part3 loss log: add batch norm layer"
    ),
    "makemore.init.mlp-bn-b1.val": Anchor(
        2.104844808578491, "makemore part3 loss log: add batch norm layer"
    ),
    "makemore.init.bn-mlp.train": Anchor(
        2.0674145221710205, "makemore part3 cell 10: the BatchNorm MLP without b1"
    ),
    "makemore.init.bn-mlp.val": Anchor(
        2.1056840419769287, "makemore part3 cell 10: the BatchNorm MLP without b1"
    ),
    "makemore.bn.params": Anchor(12097, "makemore part3 cell 6"),
    "makemore.bn.loss_step0": Anchor(
        3.3239, "makemore part3: the BatchNorm MLP's printed loss at step 0"
    ),
    "makemore.bn.loss_step10000": Anchor(
        2.0322, "makemore part3: the BatchNorm MLP's printed '10000/200000: 2.0322'"
    ),
    "makemore.deep.params": Anchor(
        47024, "makemore part3, the 5-layer network (cell 13)"
    ),
    "makemore.deep.train_1k": Anchor(
        2.4003, "makemore part3 cell 19, after 1,001 steps"
    ),
    "makemore.deep.val_1k": Anchor(2.3982, "makemore part3 cell 19, after 1,001 steps"),
    # makemore part 4: manual backprop (makemore_part4_backprop.ipynb)
    "makemore.backprop.params": Anchor(4137, "makemore part4 cell 8 (n_hidden 64)"),
    "makemore.backprop.initial_loss": Anchor(
        3.3377,
        "makemore part4 cell 10: the loss on the first batch",
        "the BatchNorm gain and bias come from PyTorch's unseeded global generator",
    ),
    "makemore.backprop.exact_tensors": Anchor(
        26, "makemore part4 cell 11: manual gradients bit-identical to autograd's"
    ),
    "makemore.backprop.ce_max_diff": Anchor(
        5.122274160385132e-09, "makemore part4 cell 13: fused cross-entropy backward"
    ),
    "makemore.backprop.bn_max_diff": Anchor(
        9.313225746154785e-10, "makemore part4 cell 20: fused BatchNorm backward"
    ),
    "makemore.backprop.params_200": Anchor(
        12297, "makemore part4 cell 22 (n_hidden 200)"
    ),
    "makemore.backprop.train": Anchor(
        2.070523500442505,
        "makemore part4 cell 25: 200k steps by hand, BatchNorm calibrated",
    ),
    "makemore.backprop.val": Anchor(
        2.109893560409546,
        "makemore part4 cell 25: 200k steps by hand, BatchNorm calibrated",
    ),
    "makemore.backprop.author_train": Anchor(
        2.0718822479248047,
        "makemore part4 cell 26: the author's earlier run (a comment)",
    ),
    "makemore.backprop.author_val": Anchor(
        2.1162495613098145,
        "makemore part4 cell 26: the author's earlier run (a comment)",
    ),
    # makemore part 5: the WaveNet-style hierarchical MLP (makemore_part5_cnn1.ipynb)
    "makemore.wavenet.params": Anchor(76579, "makemore part5 cell 9"),
    "makemore.wavenet.step0_loss": Anchor(
        3.3167, "makemore part5 cell 10: minibatch loss, step 0"
    ),
    "makemore.wavenet.train": Anchor(1.7690284252166748, "makemore part5 cell 13"),
    "makemore.wavenet.val": Anchor(1.9936515092849731, "makemore part5 cell 13"),
    "makemore.wavenet.val_rerun": Anchor(
        1.9936530590057373,
        "the lecture notebook re-run with torch 2.13 CPU, one thread",
        "train bit-identical, val 1.5e-6 above the published number",
    ),
    # part5 cell 14, the performance log (3 decimals)
    "makemore.stage.flat-ctx3.train": Anchor(
        2.058, "makemore part5 log: original (12K)"
    ),
    "makemore.stage.flat-ctx3.val": Anchor(2.105, "makemore part5 log: original (12K)"),
    "makemore.stage.flat-ctx8.train": Anchor(
        1.918, "makemore part5 log: context 3 → 8 (22K)"
    ),
    "makemore.stage.flat-ctx8.val": Anchor(
        2.027, "makemore part5 log: context 3 → 8 (22K)"
    ),
    "makemore.stage.tree-bn-bug.train": Anchor(
        1.941, "makemore part5 log: flat → hierarchical"
    ),
    "makemore.stage.tree-bn-bug.val": Anchor(
        2.029, "makemore part5 log: flat → hierarchical"
    ),
    "makemore.stage.tree.train": Anchor(
        1.912, "makemore part5 log: fix the batchnorm bug"
    ),
    "makemore.stage.tree.val": Anchor(
        2.022, "makemore part5 log: fix the batchnorm bug"
    ),
    "makemore.stage.wavenet.train": Anchor(
        1.769, "makemore part5 log: scale up the network"
    ),
    "makemore.stage.wavenet.val": Anchor(
        1.993, "makemore part5 log: scale up the network"
    ),
    # makemore.py (karpathy/makemore), its own split: 1,000 test words
    "makemore.transformer.test": Anchor(
        1.92,
        "karpathy/makemore README: the default 200K-parameter transformer, test loss "
        "~1.92",
        "its own split (1,000 test words) and no step count; re-measured: 1.966 at "
        "best in 20k",
    ),
    # cuda: Simon Boehm's SGEMM worklog (siboehm.com/articles/22/CUDA-MMM and the
    # repository siboehm/SGEMM_CUDA), fp32, 4092² on an RTX A6000; % of cuBLAS in the
    # same run
    "cuda.boehm.a6000.cublas_gflops": Anchor(23249.6, _BOEHM, "cuBLAS SGEMM, GFLOP/s"),
    "cuda.boehm.a6000.naive_pct": Anchor(1.3, _BOEHM, "kernel 1, naive"),
    "cuda.boehm.a6000.coalesced_pct": Anchor(
        8.5, _BOEHM, "kernel 2, global memory coalescing"
    ),
    "cuda.boehm.a6000.tiled_pct": Anchor(
        12.8, _BOEHM, "kernel 3, shared-memory caching"
    ),
    "cuda.boehm.a6000.blocktiled_1d_pct": Anchor(
        36.5, _BOEHM, "kernel 4, 1-D block tiling"
    ),
    "cuda.boehm.a6000.blocktiled_2d_pct": Anchor(
        68.7, _BOEHM, "kernel 5, 2-D block tiling"
    ),
    "cuda.boehm.a6000.vectorized_pct": Anchor(
        78.4, _BOEHM, "kernel 6, vectorized loads"
    ),
    "cuda.boehm.a6000.warptiling_pct": Anchor(93.7, _BOEHM, "kernel 10, warp tiling"),
    # the same kernels rerun on an H100 (CUDA 12.3, sm_90, 4096²): a public course
    # report whose repository was not identified, so a lead until our own H100 run
    # replaces it
    "cuda.boehm.h100.cublas_gflops": Anchor(
        50989, _BOEHM_H100, "cuBLAS SGEMM, GFLOP/s"
    ),
    "cuda.boehm.h100.naive_pct": Anchor(0.98, _BOEHM_H100, "kernel 1, naive"),
    "cuda.boehm.h100.coalesced_pct": Anchor(11.9, _BOEHM_H100, "kernel 2, coalescing"),
    "cuda.boehm.h100.tiled_pct": Anchor(
        18.0, _BOEHM_H100, "kernel 3, shared-memory tiling"
    ),
    "cuda.boehm.h100.blocktiled_2d_pct": Anchor(
        50.7, _BOEHM_H100, "kernel 5, 2-D block tiling"
    ),
    # NVIDIA datasheets (SXM parts): memory bandwidth in bytes/s, fp32 (non-tensor)
    # FLOP/s
    "cuda.h100.bandwidth": Anchor(3.35e12, "NVIDIA H100 datasheet (SXM5, HBM3)"),
    "cuda.h200.bandwidth": Anchor(4.8e12, "NVIDIA H200 datasheet (SXM, HBM3e)"),
    "cuda.h100.fp32_flops": Anchor(67e12, "NVIDIA H100 datasheet (SXM5), FP32"),
    "cuda.h200.fp32_flops": Anchor(67e12, "NVIDIA H200 datasheet (SXM), FP32"),
    # Godoy et al., IPDPSW 2023 (data: williamfgc/simple-gemm): a doc-style Numba kernel
    # (x mapped to rows, float64 accumulator) against cuBLAS on an A100, fp32, 16384²
    "cuda.godoy.numba_naive_pct": Anchor(
        1.7, _GODOY, "Python/Numba naive kernel, % of cuBLAS"
    ),
    # BPE: minbpe (karpathy/minbpe), its test text tests/taylorswift.txt
    "bpe.taylorswift.basic512_tokens": Anchor(
        78746,
        "minbpe BasicTokenizer trained on taylorswift.txt at vocab 512 (train.py)",
        "tokens when it encodes the same text",
    ),
    # Character-level GPT on Tiny Shakespeare (lecture "Let's build GPT", nanoGPT)
    "gpt.bigram.val_step2700": Anchor(
        2.4911,
        "the lecture's bigram.py, seed 1337, 1 CPU thread",
        "validation loss estimate at step 2700 (200 batches of 32 x 8)",
    ),
    "gpt.baby.val": Anchor(
        1.8857,
        "nanoGPT's CPU baby-GPT recipe (README), run on the project's 2-core machine",
        "validation loss estimate at step 2000 (20 batches of 12 x 64); README: 1.88",
    ),
    "gpt.baby.val_step500": Anchor(
        2.314,
        "nanoGPT's CPU baby-GPT recipe, run on the project's 2-core machine",
        "step 500",
    ),
    "gpt.baby.tokens_per_s": Anchor(
        7200,
        "nanoGPT's CPU baby-GPT recipe on the project's 2-core machine, 1 thread",
        "median step throughput under contention; ~11.6k on an idle core",
    ),
    "gpt.lecture.val": Anchor(
        1.48, "the lecture's gpt.py (GPU), 5000 steps", "about 1.48"
    ),
    "gpt.lecture.params_m": Anchor(
        10.79, "the lecture's gpt.py", "millions of parameters"
    ),
}


#: makemore part 1 (cells 24 and 58): the first names drawn from the +1-smoothed counts
#: with `torch.Generator().manual_seed(2147483647)` and one inverse-CDF draw per
#: character.
MAKEMORE_BIGRAM_SAMPLES = (
    "mor.",
    "axx.",
    "minaymoryles.",
    "kondlaisah.",
    "anchshizarie.",
)


def anchor(name: str) -> Anchor:
    """Look up a reference number by name, with a clear error for a typo."""
    try:
        return ANCHORS[name]
    except KeyError:
        close = [k for k in ANCHORS if k.split(".")[0] == name.split(".")[0]]
        raise KeyError(
            f"no reference number {name!r}; known in this chapter: {close}"
        ) from None
