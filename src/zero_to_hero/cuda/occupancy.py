"""Theoretical occupancy: how many blocks of a kernel fit on one streaming
multiprocessor (SM).

An SM keeps the registers and shared memory of every resident block on chip, so a kernel
that uses more of either per thread leaves room for fewer blocks. Occupancy is the
fraction of the SM's warp slots that the resident blocks fill. More resident warps give
the scheduler more work to switch to while others wait on memory; that hides latency,
but it is a ceiling on parallelism, not a speed: the fastest matmul kernels run at low
occupancy on purpose.

This is the calculation of NVIDIA's occupancy calculator (`cuda_occupancy.h`, shipped
with the CUDA toolkit), for one compute capability at a time, in plain Python; the tests
compare it with the header itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SMLimits", "SM90", "Occupancy", "occupancy"]


@dataclass(frozen=True)
class SMLimits:
    """Per-SM resources of one compute capability (CUDA C Programming Guide, table of
    technical specifications, and `cuda_occupancy.h`).

    Attributes:
        name: The compute capability and an example GPU.
        warp_size: Threads per warp.
        max_threads_per_block: Largest block a launch may ask for.
        max_threads_per_sm: Resident threads per SM (warp slots × 32).
        max_blocks_per_sm: Resident blocks per SM.
        registers_per_sm: 32-bit registers per SM.
        registers_per_block: Registers one block may hold.
        max_registers_per_thread: Most registers ptxas gives one thread.
        register_allocation_unit: Registers are allocated per warp in multiples of this.
        sub_partitions: Each SM has this many schedulers, each with its own slice of the
            register file; a warp's registers come from one slice.
        shared_per_sm: Shared memory per SM, in bytes, with the largest carve-out.
        shared_per_block: Static shared memory one block may declare, in bytes.
        shared_reserved_per_block: Bytes the driver reserves per resident block.
        shared_allocation_unit: Shared memory is allocated in multiples of this many
            bytes.
        barriers_per_sm: Hardware barriers per SM (a block with `__syncthreads` uses
            one).
    """

    name: str
    warp_size: int = 32
    max_threads_per_block: int = 1024
    max_threads_per_sm: int = 2048
    max_blocks_per_sm: int = 32
    registers_per_sm: int = 65536
    registers_per_block: int = 65536
    max_registers_per_thread: int = 255
    register_allocation_unit: int = 256
    sub_partitions: int = 4
    shared_per_sm: int = 228 * 1024
    shared_per_block: int = 48 * 1024
    shared_reserved_per_block: int = 1024
    shared_allocation_unit: int = 128
    barriers_per_sm: int = 64

    @property
    def max_warps_per_sm(self) -> int:
        """Warp slots per SM."""
        return self.max_threads_per_sm // self.warp_size


#: Compute capability 9.0: the H100 and H200 (Hopper).
SM90 = SMLimits(name="compute capability 9.0 (H100, H200)")


@dataclass(frozen=True)
class Occupancy:
    """The result of `occupancy`.

    Attributes:
        blocks_per_sm: Resident blocks per SM (0: the kernel cannot launch this way).
        warps_per_sm: Resident warps per SM.
        occupancy: Resident warps over the SM's warp slots, from 0 to 1.
        limits: Blocks per SM each resource alone would allow.
        limited_by: The resources that set `blocks_per_sm`.
    """

    blocks_per_sm: int
    warps_per_sm: int
    occupancy: float
    limits: dict[str, int] = field(default_factory=dict)
    limited_by: tuple[str, ...] = ()


def round_up(x: int, unit: int) -> int:
    """`x` rounded up to a whole number of `unit`s (the hardware allocates in units)."""
    return -(-x // unit) * unit


def occupancy(
    threads_per_block: int,
    registers_per_thread: int,
    shared_bytes_per_block: int = 0,
    barriers: int = 1,
    sm: SMLimits = SM90,
) -> Occupancy:
    """How many blocks of a kernel can be resident on one SM at once, and what limits
    it.

    Args:
        threads_per_block: Threads per block of the launch.
        registers_per_thread: Registers per thread, as `ptxas -v` reports them.
        shared_bytes_per_block: Static shared memory per block, from `ptxas -v`.
        barriers: Barriers the kernel uses (`ptxas -v`: "used N barriers").
        sm: The SM's resources; Hopper by default.

    Returns:
        The resident blocks, warps, the occupancy, and each resource's own limit.

    Example:
        >>> occupancy(256, 32, 2048).occupancy  # the 16 × 16 tiled matmul on an H100
        1.0
        >>> result = occupancy(256, 148, 8192)  # the register-blocked kernel
        >>> result.blocks_per_sm, result.limited_by
        (1, ('registers',))
    """
    for name, value, low in [
        ("threads_per_block", threads_per_block, 1),
        ("registers_per_thread", registers_per_thread, 0),
        ("shared_bytes_per_block", shared_bytes_per_block, 0),
        ("barriers", barriers, 0),
    ]:
        if not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int ≥ {low}, got {value!r}")
    warps = -(-threads_per_block // sm.warp_size)  # a partial warp still takes a slot
    limits = {"blocks": sm.max_blocks_per_sm}

    # Warp slots.
    fits = threads_per_block <= sm.max_threads_per_block
    limits["warps"] = sm.max_warps_per_sm // warps if fits else 0

    # Registers: allocated per warp, in units, from one scheduler's slice of the
    # register file.
    regs_per_warp = round_up(
        registers_per_thread * sm.warp_size, sm.register_allocation_unit
    )
    fits = (
        registers_per_thread <= sm.max_registers_per_thread
        and regs_per_warp * round_up(warps, sm.sub_partitions) <= sm.registers_per_block
    )
    if not fits:
        limits["registers"] = 0
    elif regs_per_warp == 0:
        limits["registers"] = sm.max_blocks_per_sm
    else:
        warps_per_slice = sm.registers_per_sm // sm.sub_partitions // regs_per_warp
        limits["registers"] = warps_per_slice * sm.sub_partitions // warps

    # Shared memory: the block's own, plus what the driver reserves, in allocation
    # units.
    shared = round_up(
        shared_bytes_per_block + sm.shared_reserved_per_block, sm.shared_allocation_unit
    )
    fits = shared <= sm.shared_per_block + sm.shared_reserved_per_block
    limits["shared memory"] = sm.shared_per_sm // shared if fits else 0

    # Barriers: a fixed number per SM, shared by the resident blocks.
    limits["barriers"] = (
        sm.barriers_per_sm // barriers if barriers else sm.max_blocks_per_sm
    )

    blocks = min(limits.values())
    limited_by = tuple(name for name, n in limits.items() if n == blocks)
    return Occupancy(
        blocks, blocks * warps, blocks * warps / sm.max_warps_per_sm, limits, limited_by
    )
