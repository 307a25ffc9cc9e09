"""Launch the kernels: compute the grid, check the inputs, move the data.

A kernel launch names two sizes, `kernel[blocks_per_grid, threads_per_block](args)`. The
block size is the programmer's choice (a multiple of the 32-thread warp, at most 1024
threads); the grid is then the number of blocks that covers the data, rounded *up*,
which is why every kernel needs a bounds guard.

The helpers take numpy arrays (they are copied to the device and the result is copied
back) or arrays already on the device (numba device arrays, or anything with a
`__cuda_array_interface__` such as a CUDA `torch.Tensor`), which stay there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import cuda

from zero_to_hero.cuda import kernels
from zero_to_hero.cuda.kernels import BlockTiling

__all__ = [
    "blocks_for",
    "vector_add",
    "MatmulKernel",
    "tiled_kernel",
    "blocktiled_kernel",
    "MATMUL_KERNELS",
    "matmul",
]

#: Threads per block for the 1-D kernels: 8 warps, a common default.
THREADS_PER_BLOCK = 256


def blocks_for(n: int, threads_per_block: int) -> int:
    """The number of blocks of `threads_per_block` threads that covers `n` elements.

    Example:
        >>> # 4 blocks = 1024 threads; the last 24 must do nothing
        >>> blocks_for(1000, 256)
        4
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if not isinstance(threads_per_block, int) or not 1 <= threads_per_block <= 1024:
        raise ValueError(
            "threads_per_block must be an int from 1 to 1024, got "
            f"{threads_per_block!r}"
        )
    # ceil(n / threads_per_block)
    return (n + threads_per_block - 1) // threads_per_block


def _device_view(x: Any) -> Any | None:
    """`x` as a numba device array if it lives on the device, else None."""
    if hasattr(x, "copy_to_host"):  # a numba device array (or the simulator's stand-in)
        return x
    # e.g. a CUDA torch.Tensor: shared, not copied
    if hasattr(x, "__cuda_array_interface__"):
        return cuda.as_cuda_array(x)
    return None


def _check_float32(x: Any, name: str, ndim: int) -> None:
    if np.dtype(x.dtype) != np.float32:
        raise TypeError(
            f"{name} must be float32 (the kernels compute in float32), got {x.dtype}; "
            f"convert it first, e.g. {name}.astype(np.float32)"
        )
    if len(x.shape) != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {tuple(x.shape)}")


def device_arrays(arrays: dict[str, Any], ndim: int) -> tuple[list[Any], bool]:
    """Check dtypes and ranks; return the device arrays and whether the inputs were on
    the host."""
    views = {name: _device_view(x) for name, x in arrays.items()}
    on_device = [name for name, v in views.items() if v is not None]
    if on_device and len(on_device) != len(arrays):
        on_host = sorted(set(arrays) - set(on_device))
        raise TypeError(
            f"{on_device} are on the device but {on_host} are not: pass all or none"
        )
    host = not on_device
    if host:
        views = {name: np.asarray(x) for name, x in arrays.items()}
    for name, x in views.items():
        _check_float32(x, name, ndim)
    if host:
        views = {
            name: cuda.to_device(np.ascontiguousarray(x)) for name, x in views.items()
        }
    return list(views.values()), host


def vector_add(
    a: Any,
    b: Any,
    *,
    threads_per_block: int = THREADS_PER_BLOCK,
    blocks: int | None = None,
) -> Any:
    """a + b on the device, with `kernels.vec_add` or `kernels.vec_add_grid_stride`.

    Args:
        a: A float32 vector, on the host (numpy) or on the device.
        b: A float32 vector of the same length, in the same place as `a`.
        threads_per_block: Threads per block.
        blocks: None: one thread per element, `blocks_for(n, threads_per_block)` blocks.
            A number: exactly that many blocks, and the grid-stride kernel, whose
            threads loop over the vector in steps of the grid's size.

    Returns:
        The sum, a numpy array if the inputs were numpy arrays, else a device array.

    Example:
        >>> import numpy as np
        >>> vector_add(np.arange(5, dtype=np.float32), np.ones(5, dtype=np.float32))
        array([1., 2., 3., 4., 5.], dtype=float32)
    """
    (a_d, b_d), host = device_arrays({"a": a, "b": b}, ndim=1)
    n = a_d.shape[0]
    if b_d.shape[0] != n:
        raise ValueError(
            f"a and b must have the same length, got {n} and {b_d.shape[0]}"
        )
    out = cuda.device_array(n, dtype=np.float32)
    if n == 0:
        return out.copy_to_host() if host else out
    if blocks is None:
        kernels.vec_add[blocks_for(n, threads_per_block), threads_per_block](
            a_d, b_d, out
        )
    else:
        if not isinstance(blocks, int) or blocks < 1:
            raise ValueError(f"blocks must be a positive int or None, got {blocks!r}")
        blocks_for(1, threads_per_block)  # the same check of threads_per_block
        kernels.vec_add_grid_stride[blocks, threads_per_block](a_d, b_d, out)
    return out.copy_to_host() if host else out


@dataclass(frozen=True)
class MatmulKernel:
    """A matmul kernel with its launch geometry.

    Attributes:
        name: Short name, e.g. `"tiled16"`.
        kernel: The numba kernel, called as `kernel(A, B, C)` on device arrays.
        threads: Threads per block: `(x, y)`, or `(n,)` for a 1-D block.
        tile: `(rows, columns)` of C computed by one block.
        x_over_rows: True when the grid's x dimension walks the rows of C (the
            uncoalesced naive mapping); normally x walks the columns.
    """

    name: str
    kernel: Any
    threads: tuple[int, ...]
    tile: tuple[int, int]
    x_over_rows: bool = False

    def grid(self, M: int, N: int) -> tuple[int, int]:
        """Blocks per grid, `(x, y)`, covering an `M` × `N` output."""
        rows, cols = blocks_for(M, self.tile[0]), blocks_for(N, self.tile[1])
        return (rows, cols) if self.x_over_rows else (cols, rows)

    def launch(self, A: Any, B: Any, C: Any, stream: Any = 0) -> None:
        """Launch on device arrays: `C = A @ B`. Asynchronous on a GPU, like any
        launch."""
        M, N = C.shape
        self.kernel[self.grid(M, N), self.threads, stream](A, B, C)


def tiled_kernel(tile: int) -> MatmulKernel:
    """The shared-memory tiled matmul with `tile` × `tile` tiles, ready to launch."""
    kernel = {16: kernels.matmul_tiled16, 32: kernels.matmul_tiled32}.get(tile)
    if kernel is None:
        kernel = kernels.make_matmul_tiled(tile)
    return MatmulKernel(f"tiled{tile}", kernel, (tile, tile), (tile, tile))


def blocktiled_kernel(shape: BlockTiling) -> MatmulKernel:
    """The register-blocked matmul for one `BlockTiling`, ready to launch."""
    if shape == kernels.BLOCKTILED_GPU:
        kernel = kernels.matmul_blocktiled
    else:
        kernel = kernels.make_matmul_blocktiled(shape)
    return MatmulKernel("blocktiled", kernel, (shape.threads,), (shape.bm, shape.bn))


#: The ladder of matmul kernels, from slowest to fastest on a GPU.
MATMUL_KERNELS: dict[str, MatmulKernel] = {
    "naive_rows": MatmulKernel(
        "naive_rows", kernels.matmul_naive_rows, (16, 16), (16, 16), True
    ),
    "naive": MatmulKernel("naive", kernels.matmul_naive, (16, 16), (16, 16)),
    "tiled16": tiled_kernel(16),
    "tiled32": tiled_kernel(32),
    "blocktiled": blocktiled_kernel(kernels.BLOCKTILED_GPU),
}


def matmul(A: Any, B: Any, kernel: str | MatmulKernel = "tiled16") -> Any:
    """A @ B on the device with one of the chapter's kernels.

    Args:
        A: float32 matrix, M × K.
        B: float32 matrix, K × N; both on the host or both on the device.
        kernel: A name from `MATMUL_KERNELS` or a `MatmulKernel`.

    Returns:
        C = A @ B, M × N: a numpy array if the inputs were numpy arrays, else a device
        array.

    Example:
        >>> import numpy as np
        >>> A = np.arange(6, dtype=np.float32).reshape(2, 3)
        >>> matmul(A, A.T, kernel="naive")
        array([[ 5., 14.],
               [14., 50.]], dtype=float32)
    """
    if isinstance(kernel, str):
        if kernel not in MATMUL_KERNELS:
            raise ValueError(
                f"unknown kernel {kernel!r}; choose from {list(MATMUL_KERNELS)}"
            )
        kernel = MATMUL_KERNELS[kernel]
    (A_d, B_d), host = device_arrays({"A": A, "B": B}, ndim=2)
    (M, K), (K2, N) = A_d.shape, B_d.shape
    if K != K2:
        raise ValueError(
            f"A is {M}×{K} and B is {K2}×{N}: A's columns must equal B's rows for A @ B"
        )
    C = cuda.device_array((M, N), dtype=np.float32)
    if M and N:
        kernel.launch(A_d, B_d, C)
    return C.copy_to_host() if host else C
